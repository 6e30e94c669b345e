package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One virtual router as this node runs it (RFC 9568 section 6.1's parameters).
 *
 * @param name            the instance name, prefix of its log lines
 * @param vrid            Virtual Router Identifier, 1-255
 * @param priority        1-254, or 255 when this node owns the addresses
 * @param adverInterval   Advertisement_Interval in centiseconds, 1-4095
 * @param preempt         Preempt_Mode: a backup of higher priority takes over from a lower master
 * @param preemptDelay    how long a backup still accepts a lower-priority master it has just
 *                        seen before preempting it (keepalived's {@code preempt_delay}); zero: at once
 * @param primaryAddress  this node's address on the interface: the advertisements' source, and
 *                        the tie-break between equal priorities (6.4.3)
 * @param addresses       the virtual addresses, of {@code primaryAddress}'s family; for IPv6
 *                        the first is link-local (5.2.9)
 */
public record InstanceConfig(String name, int vrid, int priority, int adverInterval, boolean preempt,
        Duration preemptDelay, InetAddress primaryAddress, List<InetAddress> addresses) {

    public InstanceConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("instance name is empty");
        }
        if (vrid < VrrpConstants.VRID_MIN || vrid > VrrpConstants.VRID_MAX) {
            throw new IllegalArgumentException(name + ": vrid " + vrid + " outside 1..255");
        }
        if (priority < VrrpConstants.PRIORITY_MIN || priority > VrrpConstants.PRIORITY_OWNER) {
            throw new IllegalArgumentException(name + ": priority " + priority + " outside 1..255");
        }
        if (adverInterval < VrrpConstants.MAX_ADVER_INT_MIN || adverInterval > VrrpConstants.MAX_ADVER_INT_MAX) {
            throw new IllegalArgumentException(name + ": advert interval " + adverInterval + " cs outside 1..4095");
        }
        Objects.requireNonNull(preemptDelay, "preemptDelay");
        if (preemptDelay.isNegative()) {
            throw new IllegalArgumentException(name + ": negative preempt delay " + preemptDelay);
        }
        IpFamily family = IpFamily.of(Objects.requireNonNull(primaryAddress, "primaryAddress"));
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty() || addresses.size() > VrrpConstants.MAX_ADDRESSES) {
            throw new IllegalArgumentException(name + ": " + addresses.size() + " addresses, expected 1..255");
        }
        for (InetAddress a : addresses) {
            if (!family.holds(a)) {
                throw new IllegalArgumentException(name + ": address " + a.getHostAddress() + " is not "
                        + family + " like " + primaryAddress.getHostAddress());
            }
        }
        if (family == IpFamily.IPV6 && !addresses.get(0).isLinkLocalAddress()) {
            throw new IllegalArgumentException(name + ": the first IPv6 address must be link-local (RFC 9568 5.2.9)");
        }
    }

    /** The address family of the instance. */
    public IpFamily family() {
        return IpFamily.of(primaryAddress);
    }

    /** True when this node owns the addresses (priority 255, section 5.2.4). */
    public boolean owner() {
        return priority == VrrpConstants.PRIORITY_OWNER;
    }

    /** The advertisement this instance sends at {@code sendPriority}, checksum not yet computed. */
    public Advertisement advertisement(int sendPriority) {
        return Advertisement.of(vrid, sendPriority, adverInterval, addresses);
    }
}
