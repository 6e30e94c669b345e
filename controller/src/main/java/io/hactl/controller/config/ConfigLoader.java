package io.hactl.controller.config;

import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.filter.Cidr;
import io.hactl.sync.filter.FlowFilter;
import io.hactl.sync.transport.LinkSpec;
import io.hactl.sync.wire.Encryption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads /etc/hactl/hactl.yaml into a {@link HactlConfig}: every key checked, every error collected
 * with its key path and line, unknown keys reported (they are usually typos).
 */
public final class ConfigLoader {
    public static final Path DEFAULT_PATH = Path.of("/etc/hactl/hactl.yaml");
    public static final Path DEFAULT_SOCKET = Path.of("/run/hactl/hactl.sock");
    public static final int DEFAULT_PORT = 3780;

    private static final Map<String, Integer> PROTOCOLS = Map.of("tcp", Tuple.TCP, "udp", Tuple.UDP, "icmp", Tuple.ICMP,
            "icmpv6", Tuple.ICMPV6, "sctp", Tuple.SCTP, "dccp", Tuple.DCCP, "gre", Tuple.GRE, "udplite", Tuple.UDPLITE);

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
        YamlTree tree;
        try {
            tree = YamlTree.parse(text);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(YamlTree.syntaxError(e)));
        }
        if (!tree.root().isObject()) {
            throw new ConfigException(file.toString(), List.of(new ConfigError("(top)", 1, "must be a mapping of keys")));
        }
        ConfigReader r = new ConfigReader(tree);
        r.onlyKeys("", Set.of("node", "sync", "role", "control", "metrics"));
        r.onlyKeys("node", Set.of("name"));
        String node = r.string("node.name", "hactl", true);
        SyncConfig sync = sync(r);
        RoleConfig role = role(r);
        r.onlyKeys("control", Set.of("socket"));
        Path socket = Path.of(r.string("control.socket", DEFAULT_SOCKET.toString(), false));
        if (!socket.isAbsolute()) {
            r.error("control.socket", "must be an absolute path");
        }
        r.onlyKeys("metrics", Set.of("listen"));
        InetSocketAddress metrics = null;
        String listen = r.string("metrics.listen", null, false);
        if (listen != null) {
            metrics = hostPort(r, "metrics.listen", listen);
        }
        if (!r.errors().isEmpty()) {
            throw new ConfigException(file.toString(), r.errors());
        }
        return new HactlConfig(node, sync, role, socket, metrics, file);
    }

    /** Both gateways must name the same one: the peer drops anything else as ENCRYPTION_MISMATCH. */
    private static Encryption encryption(ConfigReader r) {
        Set<String> names = new java.util.HashSet<>();
        for (Encryption e : Encryption.values()) {
            names.add(e.configName());
        }
        return Encryption.ofConfigName(r.oneOf("sync.encryption", Encryption.NONE.configName(), names));
    }

    private static SyncConfig sync(ConfigReader r) {
        r.onlyKeys("sync", Set.of("mode", "transport", "local", "peer", "group", "port", "interface", "links",
                "key-file", "direct-inject", "purge-timeout", "commit-timeout", "tcp-window-tracking", "startup-resync",
                "heartbeat", "dead-after", "ack-window", "resend-queue", "cache-limit", "mtu", "socket-buffer",
                "event-buffer", "event-buffer-max", "filter", "owner-mark", "owner-mark-mask", "encryption"));
        if (r.node("sync") == null) {
            r.error("sync", "is required");
        }
        boolean reliable = "ftfw".equals(r.oneOf("sync.mode", "ftfw", Set.of("ftfw", "notrack")));
        boolean multicast = "multicast".equals(r.oneOf("sync.transport", "udp", Set.of("udp", "multicast")));
        List<LinkSpec> links = new ArrayList<>();
        int n = r.size("sync.links");
        if (n < 0) {
            r.error("sync.links", "must be a list of links");
        } else if (n > 0) {
            for (String k : List.of("local", "peer", "group", "interface", "port")) {
                if (r.node("sync." + k) != null) {
                    r.error("sync." + k, "give it per link under sync.links, not both");
                }
            }
            if (n > 4) {
                r.error("sync.links", n + " links: at most 4 are supported");
            }
            for (int i = 0; i < Math.min(n, 4); i++) {
                link(r, "sync.links[" + i + "]", multicast, links);
            }
        } else {
            link(r, "sync", multicast, links);
        }
        Path keyFile = Path.of(r.string("sync.key-file", "/etc/hactl/sync.key", false));
        if (!keyFile.isAbsolute()) {
            r.error("sync.key-file", "must be an absolute path");
        }
        Duration heartbeat = r.duration("sync.heartbeat", Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofSeconds(10));
        Duration deadAfter = r.duration("sync.dead-after", Duration.ofMillis(1200), Duration.ofMillis(40), Duration.ofSeconds(60));
        if (deadAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
            r.error("sync.dead-after", deadAfter.toMillis() + " ms must be at least twice the heartbeat ("
                    + heartbeat.toMillis() + " ms)");
        }
        int eventBuffer = r.size("sync.event-buffer", 128 << 20, 1 << 16, 1 << 30);
        int eventBufferMax = r.size("sync.event-buffer-max", Math.max(512 << 20, eventBuffer), 1 << 16, 1 << 30);
        if (eventBufferMax < eventBuffer) {
            r.error("sync.event-buffer-max", "is below sync.event-buffer");
        }
        return new SyncConfig(reliable, multicast, links, keyFile,
                r.bool("sync.direct-inject", false),
                r.duration("sync.purge-timeout", Duration.ofSeconds(60), Duration.ZERO, Duration.ofHours(24)),
                r.node("sync.commit-timeout") == null ? null
                        : r.duration("sync.commit-timeout", null, Duration.ofSeconds(1), Duration.ofDays(5)),
                r.bool("sync.tcp-window-tracking", false),
                r.bool("sync.startup-resync", true),
                heartbeat, deadAfter,
                r.integer("sync.ack-window", 300, 1, 100_000),
                r.integer("sync.resend-queue", 131_072, 16, 16_777_216),
                r.integer("sync.cache-limit", io.hactl.sync.cache.CacheLimit.byDefault(), 1, 1 << 28),
                r.integer("sync.mtu", 1500, 576, 65_535),
                r.size("sync.socket-buffer", 4 << 20, 1 << 16, 1 << 30),
                eventBuffer, eventBufferMax,
                filter(r), ownerMark(r), encryption(r));
    }

    /**
     * {@code sync.owner-mark} (the conntrack mark bits set on flows written from the peer's cache)
     * and {@code sync.owner-mark-mask} (the bits hactl owns; the mark's own bits when not given).
     */
    private static io.hactl.sync.engine.OwnerMark ownerMark(ConfigReader r) {
        io.hactl.sync.engine.OwnerMark d = io.hactl.sync.engine.OwnerMark.DEFAULT;
        long value = mark32(r, "sync.owner-mark", d.value());
        long mask = mark32(r, "sync.owner-mark-mask", r.node("sync.owner-mark") == null ? d.mask() : value);
        try {
            return new io.hactl.sync.engine.OwnerMark(value, mask);
        } catch (IllegalArgumentException e) {
            r.error(r.node("sync.owner-mark") != null ? "sync.owner-mark" : "sync.owner-mark-mask", e.getMessage());
            return d;
        }
    }

    /** A 32-bit mark, hexadecimal (0x...) or decimal. */
    private static long mark32(ConfigReader r, String path, long fallback) {
        String v = r.string(path, null, false);
        if (v == null) {
            return fallback;
        }
        try {
            long n = v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
            if (n < 0 || n > 0xffff_ffffL) {
                r.error(path, v + " is not a 32-bit mark");
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            r.error(path, "'" + v + "' is not a mark (0x40000000 or a decimal number)");
            return fallback;
        }
    }

    private static void link(ConfigReader r, String at, boolean multicast, List<LinkSpec> out) {
        if (at.startsWith("sync.links")) {
            r.onlyKeys(at, Set.of("local", "peer", "group", "interface", "port"));
        }
        InetAddress local = r.address(at + ".local", true);
        InetAddress remote;
        if (multicast) {
            remote = r.address(at + ".group", true);
            if (r.node(at + ".peer") != null) {
                r.error(at + ".peer", "a multicast link sends to its group; remove peer");
            }
            if (remote != null && !remote.isMulticastAddress()) {
                r.error(at + ".group", remote.getHostAddress() + " is not a multicast group");
                remote = null;
            }
        } else {
            remote = r.address(at + ".peer", true);
            if (r.node(at + ".group") != null) {
                r.error(at + ".group", "a group needs transport: multicast");
            }
            if (remote != null && remote.isMulticastAddress()) {
                r.error(at + ".peer", remote.getHostAddress() + " is a multicast group: use transport: multicast and group");
                remote = null;
            }
        }
        int port = r.integer(at + ".port", DEFAULT_PORT, 1, 65_535);
        String iface = r.string(at + ".interface", null, multicast);
        if (local == null || remote == null || multicast && iface == null) {
            return; // the errors are recorded; a LinkSpec would refuse the missing part by throwing
        }
        if (local.getClass() != remote.getClass()) {
            r.error(at + (multicast ? ".group" : ".peer"), "mixes IPv4 and IPv6 with local "
                    + local.getHostAddress());
            return;
        }
        out.add(new LinkSpec(iface, new InetSocketAddress(local, port), new InetSocketAddress(remote, port), multicast));
    }

    private static FlowFilter filter(ConfigReader r) {
        r.onlyKeys("sync.filter", Set.of("protocols", "ignore-addresses", "tcp-states"));
        Set<Integer> protocols = new HashSet<>();
        List<String> names = r.strings("sync.filter.protocols");
        for (int i = 0; i < names.size(); i++) {
            String p = names.get(i).toLowerCase();
            Integer num = PROTOCOLS.get(p);
            if (num == null && p.matches("\\d{1,3}") && Integer.parseInt(p) <= 255) {
                num = Integer.parseInt(p);
            }
            if (num == null) {
                r.error("sync.filter.protocols[" + i + "]", "'" + names.get(i) + "' is not a protocol name ("
                        + String.join(", ", new java.util.TreeSet<>(PROTOCOLS.keySet())) + ") or number");
            } else {
                protocols.add(num);
            }
        }
        List<Cidr> ignore = new ArrayList<>();
        List<String> cidrs = r.strings("sync.filter.ignore-addresses");
        for (int i = 0; i < cidrs.size(); i++) {
            try {
                ignore.add(Cidr.parse(cidrs.get(i)));
            } catch (IllegalArgumentException e) {
                r.error("sync.filter.ignore-addresses[" + i + "]", e.getMessage());
            }
        }
        Set<Integer> states = new HashSet<>();
        List<String> stateNames = r.strings("sync.filter.tcp-states");
        for (int i = 0; i < stateNames.size(); i++) {
            int s = TcpInfo.stateByName(stateNames.get(i));
            if (s < 0) {
                r.error("sync.filter.tcp-states[" + i + "]", "'" + stateNames.get(i) + "' is not a TCP state such as ESTABLISHED");
            } else {
                states.add(s);
            }
        }
        return new FlowFilter(protocols, ignore, states);
    }

    private static RoleConfig role(ConfigReader r) {
        r.onlyKeys("role", Set.of("source", "keepalived"));
        r.onlyKeys("role.keepalived", Set.of("notify-fifo", "track-file", "sync-group"));
        String source = r.oneOf("role.source", "keepalived", Set.of("keepalived", "none"));
        String fifo = r.string("role.keepalived.notify-fifo", null, false);
        String track = r.string("role.keepalived.track-file", null, false);
        for (String[] p : new String[][] {{"role.keepalived.notify-fifo", fifo}, {"role.keepalived.track-file", track}}) {
            if (p[1] != null && !Path.of(p[1]).isAbsolute()) {
                r.error(p[0], "must be an absolute path");
            }
        }
        String group = r.string("role.keepalived.sync-group", null, false);
        return new RoleConfig(source, fifo == null ? null : Path.of(fifo), track == null ? null : Path.of(track), group);
    }

    private static InetSocketAddress hostPort(ConfigReader r, String path, String v) {
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            r.error(path, "'" + v + "' is not ADDRESS:PORT");
            return null;
        }
        String host = v.substring(0, colon).replace("[", "").replace("]", "");
        InetAddress a = r.parseAddress(path, host);
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            r.error(path, "'" + v + "' has no valid port");
            return null;
        }
        if (port < 1 || port > 65_535) {
            r.error(path, "port " + port + " is outside 1..65535");
            return null;
        }
        return a == null ? null : new InetSocketAddress(a, port);
    }
}
