package io.hactl.controller.vrrp.net;

import io.hactl.sync.netlink.Rtnetlink;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One address of an interface as rtnetlink lists it (RTM_NEWADDR).
 *
 * @param index        the interface index (ifa_index)
 * @param address      the local address (IFA_LOCAL, or IFA_ADDRESS for IPv6)
 * @param prefixLength ifa_prefixlen
 * @param flags        ifa_flags, extended by IFA_FLAGS ({@code IFA_F_*} of linux/if_addr.h)
 * @param scope        ifa_scope ({@code RT_SCOPE_*})
 */
public record IfAddress(int index, InetAddress address, int prefixLength, int flags, int scope) {
    public IfAddress {
        Objects.requireNonNull(address, "address");
    }

    /** Still running duplicate address detection (IPv6): not yet usable as a source. */
    public boolean tentative() {
        return (flags & Rtnetlink.IFA_F_TENTATIVE) != 0;
    }
}
