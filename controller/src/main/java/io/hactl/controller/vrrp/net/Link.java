package io.hactl.controller.vrrp.net;

import io.hactl.sync.netlink.Rtnetlink;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One network interface as rtnetlink describes it (RTM_NEWLINK): what the VRRP sockets, the
 * address changes and the announcements need of it.
 *
 * @param name      the interface name
 * @param index     its index (ifi_index), at least 1
 * @param flags     ifi_flags ({@code IFF_*} of linux/if.h)
 * @param operState IFLA_OPERSTATE ({@code IF_OPER_*}), {@link Rtnetlink#IF_OPER_UNKNOWN} when absent
 * @param mac       IFLA_ADDRESS, the link-layer address; empty when the link has none
 */
public record Link(String name, int index, int flags, int operState, byte[] mac) {
    public Link {
        Objects.requireNonNull(name, "name");
        if (index < 1) {
            throw new IllegalArgumentException(name + ": interface index " + index + " below 1");
        }
        mac = mac == null ? new byte[0] : mac.clone();
    }

    /**
     * True when the interface can carry VRRP: administratively up and running (RFC 2863
     * OPER_UP, carrier present). A VRRP instance on a link that is not is in FAULT.
     */
    public boolean up() {
        return (flags & Rtnetlink.IFF_UP) != 0 && (flags & Rtnetlink.IFF_RUNNING) != 0;
    }

    /** The link-layer address (a copy). */
    @Override
    public byte[] mac() {
        return mac.clone();
    }

    /** The link-layer address as {@code aa:bb:cc:dd:ee:ff}. */
    public String macString() {
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Link l && l.name.equals(name) && l.index == index && l.flags == flags
                && l.operState == operState && java.util.Arrays.equals(l.mac, mac);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, index, flags, operState, java.util.Arrays.hashCode(mac));
    }

    @Override
    public String toString() {
        return "Link[" + name + " index " + index + " flags 0x" + Integer.toHexString(flags) + " operstate "
                + operState + " mac " + macString() + "]";
    }
}
