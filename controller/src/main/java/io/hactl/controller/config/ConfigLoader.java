package io.hactl.controller.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
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
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
        problems.required(node, "node.name");
        SyncConfig sync = null;
        if (root.sync() == null) {
            problems.required(null, "sync");
        } else {
            sync = sync(root.sync(), problems);
        }
        ConfigFile.Keepalived k = root.role().keepalived();
        RoleConfig role = new RoleConfig(root.role().source(), k.notifyFifo(), k.trackFile(), k.syncGroup(),
                VrrpSection.read(root.role(), problems));
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
                if (problems.given(given[i], "sync." + single[i])) {
                    problems.at("sync." + single[i], "give it per link under sync.links, not both");
                }
            }
            if (s.links().size() > MAX_LINKS) {
                problems.at("sync.links", s.links().size() + " links: at most " + MAX_LINKS + " are supported");
            }
            for (int i = 0; i < Math.min(s.links().size(), MAX_LINKS); i++) {
                String at = "sync.links[" + i + "]";
                if (s.links().get(i) == null) {
                    problems.required(null, at);
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
        InetAddress local = problems.required(l.local(), at + ".local");
        InetAddress remote;
        String remoteKey = at + (multicast ? ".group" : ".peer");
        if (multicast) {
            remote = problems.required(l.group(), remoteKey);
            if (problems.given(l.peer(), at + ".peer")) {
                problems.at(at + ".peer", "a multicast link sends to its group; remove peer");
            }
            if (remote != null && !remote.isMulticastAddress()) {
                problems.at(remoteKey, remote.getHostAddress() + " is not a multicast group");
                remote = null;
            }
            problems.required(l.iface(), at + ".interface");
        } else {
            remote = problems.required(l.peer(), remoteKey);
            if (problems.given(l.group(), at + ".group")) {
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
            problems.at(problems.given(s.ownerMark(), "sync.owner-mark") ? "sync.owner-mark" : "sync.owner-mark-mask",
                    e.getMessage());
            return OwnerMark.DEFAULT;
        }
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
