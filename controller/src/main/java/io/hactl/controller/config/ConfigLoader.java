package io.hactl.controller.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.IpFamily;
import io.hactl.controller.vrrp.RouterConfig;
import io.hactl.controller.vrrp.VirtualAddress;
import io.hactl.controller.vrrp.VrrpConfig;
import io.hactl.controller.vrrp.VrrpConstants;
import io.hactl.sync.engine.OwnerMark;
import io.hactl.sync.filter.Cidr;
import io.hactl.sync.filter.FlowFilter;
import io.hactl.sync.transport.LinkSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads /etc/hactl/hactl.yaml into a {@link HactlConfig}: the file is bound to {@link ConfigFile}'s
 * records, then the keys that depend on one another are checked. Every error is collected with its
 * key path, line and column and reported together; unknown keys are errors (usually typos).
 */
public final class ConfigLoader {
    public static final Path DEFAULT_PATH = Path.of("/etc/hactl/hactl.yaml");
    public static final Path DEFAULT_SOCKET = io.hactl.controller.control.ControlClient.DEFAULT_SOCKET;
    public static final int DEFAULT_PORT = 3780;
    /** Most sync links: the link index is two bits of the wire header. */
    private static final int MAX_LINKS = 4;
    /** A Linux interface name: IFNAMSIZ - 1 characters, none that the kernel refuses ("/", ":", blanks). */
    private static final Pattern IFACE = Pattern.compile("[^/:\\s]{1,15}");

    private static final ObjectReader READER = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .addModule(Scalars.module())
            .addHandler(new ProblemHandler())
            .build()
            .readerFor(ConfigFile.Root.class);

    private ConfigLoader() {}

    public static HactlConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = TextFile.read(file);
        } catch (TextFile.NotTextException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigError("(file)", 0, e.getMessage())));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigError("(file)", 0, "does not exist")));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigError("(file)", 0, "cannot be read: " + e.getMessage())));
        }
        return parse(text, file);
    }

    public static HactlConfig parse(String text, Path file) throws ConfigException {
        Problems problems = new Problems();
        ConfigFile.Root root;
        try (JsonParser p = new LocatingParser(READER.getFactory().createParser(text), problems)) {
            root = bind(p, problems);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamReadException bad) {
                // the YAML broke off while binding read it: what was read before is no evidence
                throw new ConfigException(file.toString(), List.of(syntaxError(bad)));
            }
            // what the problem handler could not take up: still an error at its key and line
            problems.add(path(e), e.getLocation(), e.getOriginalMessage().strip().replace('\n', ' '));
            throw new ConfigException(file.toString(), sorted(problems));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(syntaxError(e)));
        }
        if (root == null) {
            throw new ConfigException(file.toString(), sorted(problems));
        }
        HactlConfig config = check(root, problems, file);
        if (!problems.errors().isEmpty()) {
            throw new ConfigException(file.toString(), sorted(problems));
        }
        return config;
    }

    /** In the order of the file, as one reads it while fixing. */
    private static List<ConfigError> sorted(Problems problems) {
        return problems.errors().stream()
                .sorted(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column)).toList();
    }

    private static ConfigFile.Root bind(JsonParser p, Problems problems) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            return new ConfigFile.Root(null, null, null, null, null);
        }
        if (first != JsonToken.START_OBJECT) {
            problems.add("(top)", p.currentTokenLocation(), "must be a mapping of keys");
            return null;
        }
        ConfigFile.Root root = READER.withAttribute(Problems.class, problems).readValue(p);
        if (p.nextToken() != null) {
            problems.add("(yaml)", p.currentTokenLocation(), "more than one YAML document");
        }
        return root;
    }

    /** What binding cannot see: the keys that depend on one another, and those required. */
    private static HactlConfig check(ConfigFile.Root root, Problems problems, Path file) {
        String node = root.node().name();
        required(problems, node, "node.name");
        SyncConfig sync = null;
        if (root.sync() == null) {
            required(problems, null, "sync");
        } else {
            sync = sync(root.sync(), problems);
        }
        ConfigFile.Keepalived k = root.role().keepalived();
        RoleConfig role = new RoleConfig(root.role().source(), k.notifyFifo(), k.trackFile(), k.syncGroup(),
                vrrp(root.role(), problems));
        return new HactlConfig(node, sync, role, root.control().socket(), root.metrics().listen(), file);
    }

    private static SyncConfig sync(ConfigFile.Sync s, Problems problems) {
        boolean multicast = "multicast".equals(s.transport());
        List<LinkSpec> links = new ArrayList<>();
        if (s.links().isEmpty()) {
            link(s.link(), "sync", multicast, problems, links);
        } else {
            String[] single = {"local", "peer", "group", "interface", "port"};
            Object[] given = {s.local(), s.peer(), s.group(), s.iface(), s.port()};
            for (int i = 0; i < single.length; i++) {
                if (given(problems, given[i], "sync." + single[i])) {
                    problems.at("sync." + single[i], "give it per link under sync.links, not both");
                }
            }
            if (s.links().size() > MAX_LINKS) {
                problems.at("sync.links", s.links().size() + " links: at most " + MAX_LINKS + " are supported");
            }
            for (int i = 0; i < Math.min(s.links().size(), MAX_LINKS); i++) {
                String at = "sync.links[" + i + "]";
                if (s.links().get(i) == null) {
                    required(problems, null, at);
                } else {
                    link(s.links().get(i), at, multicast, problems, links);
                }
            }
        }
        if (s.deadAfter().compareTo(s.heartbeat().multipliedBy(2)) < 0) {
            problems.at("sync.dead-after", s.deadAfter().toMillis() + " ms must be at least twice the heartbeat ("
                    + s.heartbeat().toMillis() + " ms)");
        }
        if (s.eventBufferMax() < s.eventBuffer()) {
            problems.at("sync.event-buffer-max", "is below sync.event-buffer");
        }
        return new SyncConfig("ftfw".equals(s.mode()), multicast, links, s.keyFile(), s.directInject(),
                s.purgeTimeout(), s.commitTimeout(), s.tcpWindowTracking(), s.startupResync(), s.heartbeat(),
                s.deadAfter(), s.ackWindow(), s.resendQueue(), s.cacheLimit(), s.mtu(), s.socketBuffer(), s.eventBuffer(),
                s.eventBufferMax(), filter(s.filter()), ownerMark(s, problems), s.encryption());
    }

    private static void link(ConfigFile.Link l, String at, boolean multicast, Problems problems, List<LinkSpec> out) {
        InetAddress local = required(problems, l.local(), at + ".local");
        InetAddress remote;
        String remoteKey = at + (multicast ? ".group" : ".peer");
        if (multicast) {
            remote = required(problems, l.group(), remoteKey);
            if (given(problems, l.peer(), at + ".peer")) {
                problems.at(at + ".peer", "a multicast link sends to its group; remove peer");
            }
            if (remote != null && !remote.isMulticastAddress()) {
                problems.at(remoteKey, remote.getHostAddress() + " is not a multicast group");
                remote = null;
            }
            required(problems, l.iface(), at + ".interface");
        } else {
            remote = required(problems, l.peer(), remoteKey);
            if (given(problems, l.group(), at + ".group")) {
                problems.at(at + ".group", "a group needs transport: multicast");
            }
            if (remote != null && remote.isMulticastAddress()) {
                problems.at(remoteKey, remote.getHostAddress() + " is a multicast group: use transport: multicast and group");
                remote = null;
            }
        }
        if (local == null || remote == null || multicast && l.iface() == null) {
            return; // the errors are recorded; a LinkSpec would refuse the missing part by throwing
        }
        if (local.getClass() != remote.getClass()) {
            problems.at(remoteKey, "mixes IPv4 and IPv6 with local " + local.getHostAddress());
            return;
        }
        out.add(new LinkSpec(l.iface(), new InetSocketAddress(local, l.port()), new InetSocketAddress(remote, l.port()),
                multicast));
    }

    /** role.vrrp, read with role.source: vrrp only; null otherwise. */
    private static VrrpConfig vrrp(ConfigFile.Role r, Problems problems) {
        if (!"vrrp".equals(r.source())) {
            if (given(problems, r.vrrp(), "role.vrrp") && !problems.has("role.source")) {
                problems.at("role.vrrp", "is read only with role.source: vrrp (role.source is " + r.source() + ")");
            }
            return null;
        }
        ConfigFile.Keepalived k = r.keepalived();
        if (k.notifyFifo() != null || k.trackFile() != null || k.syncGroup() != null) {
            problems.at("role.keepalived", "is read only with role.source: keepalived (role.source is vrrp)");
        }
        ConfigFile.Vrrp v = required(problems, r.vrrp(), "role.vrrp");
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
            required(problems, null, at);
            return null;
        }
        int errors = problems.errors().size();
        String name = required(problems, r.name(), at + ".name");
        String iface = required(problems, r.iface(), at + ".interface");
        Integer vrid = required(problems, r.vrid(), at + ".vrid");
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

    private static FlowFilter filter(ConfigFile.Filter f) {
        // an element that did not read is null here, its error recorded
        Set<Integer> protocols = new HashSet<>(f.protocols());
        protocols.remove(null);
        List<Cidr> ignore = f.ignoreAddresses().stream().filter(Objects::nonNull).toList();
        Set<Integer> states = new HashSet<>(f.tcpStates());
        states.remove(null);
        return new FlowFilter(protocols, ignore, states);
    }

    private static OwnerMark ownerMark(ConfigFile.Sync s, Problems problems) {
        try {
            return new OwnerMark(s.ownerMark(), s.ownerMarkMask());
        } catch (IllegalArgumentException e) {
            problems.at(given(problems, s.ownerMark(), "sync.owner-mark") ? "sync.owner-mark" : "sync.owner-mark-mask",
                    e.getMessage());
            return OwnerMark.DEFAULT;
        }
    }

    /** The value, or an error "is required" unless one already says why it or its parent did not read. */
    private static <T> T required(Problems problems, T value, String path) {
        if (value == null && !problems.hasAtOrAbove(path)) {
            problems.at(path, "is required");
        }
        return value;
    }

    /** Whether the file gives this key: a value, or one that did not read. */
    private static boolean given(Problems problems, Object value, String path) {
        return value != null || problems.has(path);
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() > 0 ? "." : "").append(r.getFieldName().isEmpty() ? "\"\"" : r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() > 0 ? sb.toString() : "(top)";
    }

    /**
     * A parse failure as a configuration error: the line and column of the problem, the
     * parser's whole description, and where the construct it was reading began.
     */
    static ConfigError syntaxError(IOException e) {
        if (e.getCause() instanceof MarkedYAMLException m) {
            Mark at = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
            StringBuilder what = new StringBuilder();
            what.append(m.getProblem() != null ? m.getProblem() : m.getContext());
            if (m.getContext() != null && m.getProblem() != null) {
                what.append(" (").append(m.getContext());
                Mark c = m.getContextMark();
                if (c != null && (at == null || c.getLine() != at.getLine() || c.getColumn() != at.getColumn())) {
                    what.append(" that began at line ").append(c.getLine() + 1).append(", column ").append(c.getColumn() + 1);
                }
                what.append(")");
            }
            return new ConfigError("(yaml)", at == null ? 0 : at.getLine() + 1, at == null ? 0 : at.getColumn() + 1,
                    what.toString());
        }
        if (e instanceof JsonProcessingException j && j.getLocation() != null) {
            return new ConfigError("(yaml)", j.getLocation().getLineNr(), j.getLocation().getColumnNr(),
                    j.getOriginalMessage().strip().replace('\n', ' '));
        }
        return new ConfigError("(yaml)", 0, String.valueOf(e.getMessage()).strip().replace('\n', ' '));
    }
}
