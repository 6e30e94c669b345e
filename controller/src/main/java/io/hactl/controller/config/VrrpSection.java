package io.hactl.controller.config;

import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.IpFamily;
import io.hactl.controller.vrrp.RouterConfig;
import io.hactl.controller.vrrp.VirtualAddress;
import io.hactl.controller.vrrp.VrrpConfig;
import io.hactl.controller.vrrp.VrrpConstants;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The checks of the {@code role.vrrp} section that binding cannot make, for {@link ConfigLoader}:
 * the section against {@code role.source}, whole centiseconds, and per instance the required keys,
 * names, VRIDs and addresses that must not clash with an instance before it, one family per
 * instance, the unicast peers of its family. Every error goes to the load's {@link Problems}, at
 * its key, and the checks go on, so that all are reported together.
 */
final class VrrpSection {
    /** A Linux interface name: IFNAMSIZ - 1 characters, none that the kernel refuses ("/", ":", blanks). */
    private static final Pattern IFACE = Pattern.compile("[^/:\\s]{1,15}");

    private VrrpSection() {}

    /** role.vrrp, read with role.source: vrrp only; null otherwise. */
    static VrrpConfig read(ConfigFile.Role r, Problems problems) {
        if (!"vrrp".equals(r.source())) {
            if (problems.given(r.vrrp(), "role.vrrp") && !problems.has("role.source")) {
                problems.at("role.vrrp", "is read only with role.source: vrrp (role.source is " + r.source() + ")");
            }
            return null;
        }
        ConfigFile.Keepalived k = r.keepalived();
        if (k.notifyFifo() != null || k.trackFile() != null || k.syncGroup() != null) {
            problems.at("role.keepalived", "is read only with role.source: keepalived (role.source is vrrp)");
        }
        ConfigFile.Vrrp v = problems.required(r.vrrp(), "role.vrrp");
        if (v == null) {
            return null;
        }
        int errors = problems.errors().size();
        if (v.advertInterval().toNanos() % VrrpConstants.NANOS_PER_CENTISECOND != 0) {
            problems.at("role.vrrp.advert-interval", v.advertInterval().toMillis() + " ms is not a whole number of"
                    + " centiseconds, as advertisements carry it (RFC 9568 5.2.7): use a multiple of 10ms");
        }
        if (v.instances().isEmpty() && !problems.hasAtOrAbove("role.vrrp.instances")) {
            problems.at("role.vrrp.instances", "is required: at least one instance");
        }
        List<RouterConfig> routers = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> vrids = new HashMap<>();
        Map<InetAddress, Integer> owners = new HashMap<>();
        for (int i = 0; i < v.instances().size(); i++) {
            RouterConfig router = router(v.instances().get(i), i, names, vrids, owners, problems);
            if (router != null) {
                routers.add(router);
            }
        }
        if (problems.errors().size() > errors || routers.isEmpty()) {
            return null;
        }
        try {
            return new VrrpConfig(v.advertInterval(), v.preempt(), v.preemptDelay(), ChecksumMode.parse(v.checksum()),
                    v.garp().repeat(), v.garp().interval(), v.commitBudget(), routers);
        } catch (IllegalArgumentException e) {
            problems.at("role.vrrp", e.getMessage());
            return null;
        }
    }

    /**
     * One of role.vrrp.instances; null when it has an error. {@code names}, {@code vrids} and
     * {@code owners} remember the instances before it, to name the first of a clash.
     */
    private static RouterConfig router(ConfigFile.VrrpInstance r, int index, Map<String, Integer> names,
            Map<String, Integer> vrids, Map<InetAddress, Integer> owners, Problems problems) {
        String at = "role.vrrp.instances[" + index + "]";
        if (r == null) {
            problems.required(null, at);
            return null;
        }
        int errors = problems.errors().size();
        String name = problems.required(r.name(), at + ".name");
        String iface = problems.required(r.iface(), at + ".interface");
        Integer vrid = problems.required(r.vrid(), at + ".vrid");
        if (name != null) {
            Integer first = names.putIfAbsent(name, index);
            if (first != null) {
                problems.at(at + ".name", "'" + name + "' is already the name of role.vrrp.instances[" + first + "]");
            }
        }
        if (iface != null && !IFACE.matcher(iface).matches()) {
            problems.at(at + ".interface", "'" + iface + "' is not an interface name (1 to 15 characters, no '/', ':'"
                    + " or blanks)");
        }
        if (r.priority() != null && r.priority() == VrrpConstants.PRIORITY_OWNER) {
            problems.at(at + ".priority", "255 is for the owner of the addresses (RFC 9568 5.2.4), which a firewall"
                    + " pair does not have: the addresses move between the gateways; use 1..254");
        }
        IpFamily family = null;
        List<VirtualAddress> addresses = new ArrayList<>();
        if (r.addresses().isEmpty() && !problems.hasAtOrAbove(at + ".addresses")) {
            problems.at(at + ".addresses", "is required: at least one address");
        }
        if (r.addresses().size() > VrrpConstants.MAX_ADDRESSES) {
            problems.at(at + ".addresses", r.addresses().size() + " addresses: at most "
                    + VrrpConstants.MAX_ADDRESSES + " fit in an advertisement (RFC 9568 5.2.5)");
        }
        for (int j = 0; j < r.addresses().size(); j++) {
            VirtualAddress a = r.addresses().get(j);
            String key = at + ".addresses[" + j + "]";
            if (a == null) {
                continue; // its error is recorded
            }
            if (family == null) {
                family = a.family();
                if (j == 0 && family == IpFamily.IPV6 && !a.address().isLinkLocalAddress()) {
                    problems.at(key, a + ": the first IPv6 address must be link-local, fe80::/10 (RFC 9568 5.2.9)");
                }
            } else if (a.family() != family) {
                problems.at(key, a + " is " + a.family().displayName() + " but " + addresses.get(0) + " is "
                        + family.displayName() + ": one family per instance (RFC 9568 1.2); give the other family"
                        + " an instance of its own");
                continue;
            }
            Integer first = owners.putIfAbsent(a.address(), index);
            if (first != null) {
                problems.at(key, a.address().getHostAddress() + " is already an address of "
                        + (first == index ? "this instance" : "role.vrrp.instances[" + first + "]"));
            }
            addresses.add(a);
        }
        if (vrid != null && iface != null && family != null) {
            Integer first = vrids.putIfAbsent(iface + " " + family + " " + vrid, index);
            if (first != null) {
                problems.at(at + ".vrid", vrid + " on " + iface + " (" + family.displayName()
                        + ") is already role.vrrp.instances[" + first + "]'s: one VRID per interface and family");
            }
        }
        for (int j = 0; j < r.unicastPeers().size(); j++) {
            InetAddress p = r.unicastPeers().get(j);
            if (p != null && family != null && (!family.holds(p) || p.isMulticastAddress())) {
                problems.at(at + ".unicast-peers[" + j + "]", p.getHostAddress() + " is not an " + family.displayName()
                        + " unicast address like the instance's addresses");
            }
        }
        if (problems.errors().size() > errors || name == null || iface == null || vrid == null || r.priority() == null
                || addresses.isEmpty()) {
            return null;
        }
        try {
            return new RouterConfig(name, iface, vrid, r.priority(), addresses,
                    r.unicastPeers().stream().filter(Objects::nonNull).toList());
        } catch (IllegalArgumentException e) {
            problems.at(at, e.getMessage());
            return null;
        }
    }
}
