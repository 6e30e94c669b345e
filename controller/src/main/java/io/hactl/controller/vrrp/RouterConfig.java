package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One virtual router as {@code role.vrrp.instances} configures it: where it runs and what it
 * holds. The node's own address on the interface (the advertisements' source) is not
 * configured: {@link VrrpIo#primaryAddress} finds it, and {@link #instance} joins the two into
 * the state machine's {@link InstanceConfig}.
 *
 * @param name          instance name, prefix of its log lines; unique in the group
 * @param interfaceName the interface it advertises on and puts its addresses on
 * @param vrid          1-255; unique per interface and family
 * @param priority      1-254 (a firewall pair has no address owner, see {@code ConfigLoader})
 * @param addresses     1-255 virtual addresses of one family; for IPv6 the first is link-local (5.2.9)
 * @param unicastPeers  where advertisements go instead of the multicast group; empty: the group
 */
public record RouterConfig(String name, String interfaceName, int vrid, int priority,
        List<VirtualAddress> addresses, List<InetAddress> unicastPeers) {

    public RouterConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("instance name is empty");
        }
        if (interfaceName == null || interfaceName.isBlank()) {
            throw new IllegalArgumentException(name + ": no interface");
        }
        if (vrid < VrrpConstants.VRID_MIN || vrid > VrrpConstants.VRID_MAX) {
            throw new IllegalArgumentException(name + ": vrid " + vrid + " outside 1..255");
        }
        if (priority < VrrpConstants.PRIORITY_MIN || priority > VrrpConstants.PRIORITY_MAX_BACKUP) {
            throw new IllegalArgumentException(name + ": priority " + priority + " outside 1..254");
        }
        addresses = List.copyOf(addresses);
        unicastPeers = List.copyOf(unicastPeers);
        if (addresses.isEmpty() || addresses.size() > VrrpConstants.MAX_ADDRESSES) {
            throw new IllegalArgumentException(name + ": " + addresses.size() + " addresses, expected 1..255");
        }
        IpFamily family = addresses.get(0).family();
        Set<InetAddress> seen = new HashSet<>();
        for (VirtualAddress a : addresses) {
            if (a.family() != family) {
                throw new IllegalArgumentException(name + ": " + a + " is not " + family + " like " + addresses.get(0));
            }
            if (!seen.add(a.address())) {
                throw new IllegalArgumentException(name + ": " + a.address().getHostAddress() + " given twice");
            }
        }
        if (family == IpFamily.IPV6 && !addresses.get(0).address().isLinkLocalAddress()) {
            throw new IllegalArgumentException(name + ": the first IPv6 address must be link-local (RFC 9568 5.2.9)");
        }
        for (InetAddress p : unicastPeers) {
            if (!family.holds(p) || p.isMulticastAddress()) {
                throw new IllegalArgumentException(name + ": unicast peer " + p.getHostAddress() + " is not a "
                        + family + " unicast address");
            }
        }
    }

    public IpFamily family() {
        return addresses.get(0).family();
    }

    /** The addresses without their prefixes, as advertisements list them. */
    public List<InetAddress> advertised() {
        return addresses.stream().map(VirtualAddress::address).toList();
    }

    /** The state machine's view of this router, advertising from {@code primaryAddress}. */
    public InstanceConfig instance(VrrpConfig group, InetAddress primaryAddress) {
        Objects.requireNonNull(primaryAddress, "primaryAddress");
        return new InstanceConfig(name, vrid, priority, group.advertIntervalCentis(), group.preempt(),
                group.preemptDelay(), primaryAddress, advertised());
    }
}
