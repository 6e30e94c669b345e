package io.hactl.controller.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.hactl.controller.vrrp.ChecksumMode;
import io.hactl.controller.vrrp.VirtualAddress;
import io.hactl.controller.vrrp.VrrpConfig;
import io.hactl.controller.vrrp.VrrpConstants;
import io.hactl.sync.engine.EngineConfig;
import io.hactl.sync.engine.OwnerMark;
import io.hactl.sync.filter.Cidr;
import io.hactl.sync.mode.ModeConfig;
import io.hactl.sync.wire.Encryption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The shape of hactl.yaml, bound by Jackson: one record per mapping, one component per key (the
 * key is the component's name in kebab case; any other key is an error), its limits next to it
 * ({@link Limits}), and the default of every key left out in the compact constructor, taken from
 * the engine's ({@link EngineConfig}, {@link ModeConfig#DEFAULTS}) where the engine has one.
 * {@link ConfigLoader} checks what binds one key to another and builds {@link HactlConfig}.
 */
final class ConfigFile {
    private ConfigFile() {}

    static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    record Root(Node node, Sync sync, Role role, Control control, Metrics metrics) {
        Root {
            node = or(node, new Node(null));
            role = or(role, new Role(null, null, null));
            control = or(control, new Control(null));
            metrics = or(metrics, new Metrics(null));
        }
    }

    /** @param name required */
    record Node(String name) {
    }

    /**
     * The sync section. One link may be given here (local, peer or group, interface, port: left as
     * read, to tell them from {@link #links}), or up to 4 under links.
     */
    record Sync(@Limits.OneOf({"ftfw", "notrack"}) String mode,
                @Limits.OneOf({"udp", "multicast"}) String transport,
                InetAddress local, InetAddress peer, InetAddress group,
                @JsonProperty("interface") String iface,
                @Limits.Count(min = 1, max = 65_535) Integer port,
                List<Link> links,
                Path keyFile,
                Boolean directInject,
                @Limits.Time(min = "0ms", max = "24h") Duration purgeTimeout,
                @Limits.Time(min = "1s", max = "120h") Duration commitTimeout,
                Boolean tcpWindowTracking,
                Boolean startupResync,
                @Limits.Time(min = "20ms", max = "10s") Duration heartbeat,
                @Limits.Time(min = "40ms", max = "60s") Duration deadAfter,
                @Limits.Count(min = 1, max = 100_000) Integer ackWindow,
                @Limits.Count(min = 16, max = 16_777_216) Integer resendQueue,
                @Limits.Count(min = 1, max = 1 << 28) Integer cacheLimit,
                @Limits.Count(min = 576, max = 65_535) Integer mtu,
                @Limits.Bytes(min = 1 << 16, max = 1 << 30) Integer socketBuffer,
                @Limits.Bytes(min = 1 << 16, max = 1 << 30) Integer eventBuffer,
                @Limits.Bytes(min = 1 << 16, max = 1 << 30) Integer eventBufferMax,
                Filter filter,
                @JsonDeserialize(using = Scalars.Mark.class) Long ownerMark,
                @JsonDeserialize(using = Scalars.Mark.class) Long ownerMarkMask,
                Encryption encryption) {
        Sync {
            mode = or(mode, "ftfw");
            transport = or(transport, "udp");
            links = or(links, List.of());
            keyFile = or(keyFile, Path.of("/etc/hactl/sync.key"));
            directInject = or(directInject, EngineConfig.DEFAULT_DIRECT_INJECT);
            purgeTimeout = or(purgeTimeout, EngineConfig.DEFAULT_PURGE_TIMEOUT);
            // commitTimeout: none means the flow keeps what is left of the timeout it was received with
            tcpWindowTracking = or(tcpWindowTracking, EngineConfig.DEFAULT_TCP_WINDOW_TRACKING);
            startupResync = or(startupResync, EngineConfig.DEFAULT_STARTUP_RESYNC);
            heartbeat = or(heartbeat, ModeConfig.DEFAULTS.heartbeat());
            deadAfter = or(deadAfter, ModeConfig.DEFAULTS.deadAfter());
            ackWindow = or(ackWindow, ModeConfig.DEFAULTS.ackWindow());
            resendQueue = or(resendQueue, ModeConfig.DEFAULTS.resendLimit());
            cacheLimit = or(cacheLimit, EngineConfig.DEFAULT_CACHE_LIMIT);
            mtu = or(mtu, EngineConfig.DEFAULT_MTU);
            socketBuffer = or(socketBuffer, EngineConfig.DEFAULT_SOCKET_BUFFER);
            eventBuffer = or(eventBuffer, EngineConfig.DEFAULT_EVENT_BUFFER);
            // the buffer grows after an overrun up to this, and never starts above it
            eventBufferMax = or(eventBufferMax, Math.max(EngineConfig.DEFAULT_EVENT_BUFFER_MAX, eventBuffer));
            filter = or(filter, new Filter(null, null, null));
            // a mark without a mask owns just its own bits
            ownerMarkMask = or(ownerMarkMask, ownerMark != null ? ownerMark : OwnerMark.DEFAULT.mask());
            ownerMark = or(ownerMark, OwnerMark.DEFAULT.value());
            encryption = or(encryption, EngineConfig.DEFAULT_ENCRYPTION);
        }

        Link link() {
            return new Link(local, peer, group, iface, port);
        }
    }

    /** One sync link: local and peer (unicast) or group and interface (multicast). */
    record Link(InetAddress local, InetAddress peer, InetAddress group, @JsonProperty("interface") String iface,
                @Limits.Count(min = 1, max = 65_535) Integer port) {
        Link {
            port = or(port, ConfigLoader.DEFAULT_PORT);
        }
    }

    /** Which flows are replicated; each list may be a single value. */
    record Filter(@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                  @JsonDeserialize(contentUsing = Scalars.Protocol.class) List<Integer> protocols,
                  @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Cidr> ignoreAddresses,
                  @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                  @JsonDeserialize(contentUsing = Scalars.TcpState.class) List<Integer> tcpStates) {
        Filter {
            protocols = or(protocols, List.of());
            ignoreAddresses = or(ignoreAddresses, List.of());
            tcpStates = or(tcpStates, List.of());
        }
    }

    /** @param vrrp read only with source: vrrp (null when left out) */
    record Role(@Limits.OneOf({"keepalived", "vrrp", "none"}) String source, Keepalived keepalived, Vrrp vrrp) {
        Role {
            source = or(source, "keepalived");
            keepalived = or(keepalived, new Keepalived(null, null, null));
        }
    }

    /**
     * hactl's own VRRP: one sync group of instances. The advertisement interval is 12 bits of
     * centiseconds on the wire (RFC 9568 5.2.7): whole centiseconds are checked by the loader.
     */
    record Vrrp(@Limits.Time(min = "10ms", max = "40950ms") Duration advertInterval,
                Boolean preempt,
                @Limits.Time(min = "0ms", max = "1000s") Duration preemptDelay,
                @Limits.OneOf({"rfc", "keepalived-v2"}) String checksum,
                Garp garp,
                @Limits.Time(min = "0ms", max = "60s") Duration commitBudget,
                List<VrrpInstance> instances) {
        Vrrp {
            advertInterval = or(advertInterval, VrrpConfig.DEFAULT_ADVERT_INTERVAL);
            preempt = or(preempt, true);
            preemptDelay = or(preemptDelay, Duration.ZERO);
            checksum = or(checksum, ChecksumMode.RFC.configName());
            garp = or(garp, new Garp(null, null));
            commitBudget = or(commitBudget, VrrpConfig.DEFAULT_COMMIT_BUDGET);
            instances = or(instances, List.of());
        }
    }

    /** Rounds of gratuitous ARP / unsolicited NA after a takeover, and the time between two. */
    record Garp(@Limits.Count(min = 1, max = 100) Integer repeat,
                @Limits.Time(min = "10ms", max = "60s") Duration interval) {
        Garp {
            repeat = or(repeat, VrrpConfig.DEFAULT_GARP_REPEAT);
            interval = or(interval, VrrpConfig.DEFAULT_GARP_INTERVAL);
        }
    }

    /**
     * One virtual router. Priority reads up to 255 so that 255 gets its own explanation from the
     * loader (a firewall pair has no address owner).
     */
    record VrrpInstance(String name, @JsonProperty("interface") String iface,
                        @Limits.Count(min = 1, max = 255) Integer vrid,
                        @Limits.Count(min = 1, max = 255) Integer priority,
                        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<VirtualAddress> addresses,
                        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<InetAddress> unicastPeers) {
        VrrpInstance {
            priority = or(priority, VrrpConstants.PRIORITY_DEFAULT);
            addresses = or(addresses, List.of());
            unicastPeers = or(unicastPeers, List.of());
        }
    }

    /** Each is optional: without notify-fifo the role comes from the notify hook only. */
    record Keepalived(Path notifyFifo, Path trackFile, String syncGroup) {
    }

    record Control(Path socket) {
        Control {
            socket = or(socket, ConfigLoader.DEFAULT_SOCKET);
        }
    }

    /** @param listen ADDRESS:PORT of the Prometheus exposition; none: off */
    record Metrics(InetSocketAddress listen) {
    }
}
