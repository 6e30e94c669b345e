package io.hactl.sync.engine;

import io.hactl.sync.cache.CacheLimit;
import io.hactl.sync.filter.FlowFilter;

import io.hactl.sync.mode.ModeConfig;
import io.hactl.sync.transport.LinkSpec;
import io.hactl.sync.wire.Encryption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the sync engine needs, validated once; immutable.
 *
 * @param node             this gateway's name (log prefix)
 * @param peer             the peer's name
 * @param reliable         FTFW (true) or NOTRACK (false)
 * @param links            1 to 4 sync links, in failover order
 * @param key              the pre-shared key (HMAC key, or HKDF input when encrypted)
 * @param mode             FTFW/NOTRACK tunables
 * @param filter           which kernel flows are replicated
 * @param cacheLimit       most flows per cache
 * @param directInject     write received flows straight into this node's kernel
 * @param commitTimeout    timeout given to committed flows; null: what is left of the received one
 * @param purgeTimeout     delay of a scheduled purge of the kernel table
 * @param tcpWindowTracking keep TCP window tracking on committed flows (else BE_LIBERAL is set)
 * @param startupResync    ask the peer for a bulk send at start
 * @param maxDatagram      largest datagram (path MTU minus IP and UDP headers)
 * @param socketBuffer     UDP socket buffer bytes
 * @param eventBuffer      initial netlink event socket buffer bytes
 * @param eventBufferMax   the event buffer doubles up to this after an overrun
 * @param overrunResync    delay of the resync from the kernel scheduled after an event overrun
 * @param ownerMark        the mark bits that flag flows written from the peer's cache
 * @param encryption       how datagrams are protected; both gateways must agree
 */
public record EngineConfig(String node, String peer, boolean reliable, List<LinkSpec> links, byte[] key,
                           ModeConfig mode, FlowFilter filter, int cacheLimit, boolean directInject,
                           Duration commitTimeout, Duration purgeTimeout, boolean tcpWindowTracking,
                           boolean startupResync, int maxDatagram, int socketBuffer, int eventBuffer,
                           int eventBufferMax, Duration overrunResync, OwnerMark ownerMark, Encryption encryption) {
    public EngineConfig {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(peer, "peer");
        links = List.copyOf(links);
        if (links.isEmpty() || links.size() > 4) {
            throw new IllegalArgumentException(links.size() + " sync links: 1 to 4 allowed");
        }
        key = key.clone();
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(filter, "filter");
        if (cacheLimit < 1) {
            throw new IllegalArgumentException("cache limit must be positive");
        }
        Objects.requireNonNull(purgeTimeout, "purgeTimeout");
        Objects.requireNonNull(ownerMark, "ownerMark");
        Objects.requireNonNull(encryption, "encryption");
        if (eventBufferMax < eventBuffer) {
            throw new IllegalArgumentException("event buffer maximum " + eventBufferMax + " is below its start " + eventBuffer);
        }
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    // The one place of the defaults: defaults() takes them, and so does hactl.yaml for every key it
    // leaves out (the mode's tunables are ModeConfig.DEFAULTS, the owner mark OwnerMark.DEFAULT).
    /** The kernel's table size, at least 2M flows ({@link CacheLimit}), read once at start. */
    public static final int DEFAULT_CACHE_LIMIT = CacheLimit.byDefault();
    /** Warm standby: the backup keeps the peer's flows in its kernel, so taking MASTER writes only what changed. */
    public static final boolean DEFAULT_DIRECT_INJECT = true;
    public static final Duration DEFAULT_PURGE_TIMEOUT = Duration.ofSeconds(60);
    public static final boolean DEFAULT_TCP_WINDOW_TRACKING = false;
    public static final boolean DEFAULT_STARTUP_RESYNC = true;
    /** Ethernet's; the largest datagram is this less the IP and UDP headers ({@link #maxDatagram}). */
    public static final int DEFAULT_MTU = 1500;
    public static final int DEFAULT_SOCKET_BUFFER = 4 << 20;
    public static final int DEFAULT_EVENT_BUFFER = 128 << 20;
    public static final int DEFAULT_EVENT_BUFFER_MAX = 512 << 20;
    public static final Duration OVERRUN_RESYNC = Duration.ofSeconds(2);
    public static final Encryption DEFAULT_ENCRYPTION = Encryption.NONE;

    /** The largest UDP payload on a link of this MTU: less 20 + 8 header bytes on IPv4, 40 + 8 on IPv6. */
    public static int maxDatagram(int mtu, boolean ipv6) {
        return mtu - (ipv6 ? 48 : 28);
    }

    /** Defaults for a pair on one sync link. */
    public static EngineConfig defaults(String node, String peer, List<LinkSpec> links, byte[] key) {
        return new EngineConfig(node, peer, true, links, key, ModeConfig.DEFAULTS, FlowFilter.ACCEPT_ALL,
                DEFAULT_CACHE_LIMIT, DEFAULT_DIRECT_INJECT, null, DEFAULT_PURGE_TIMEOUT, DEFAULT_TCP_WINDOW_TRACKING,
                DEFAULT_STARTUP_RESYNC, maxDatagram(DEFAULT_MTU, false), DEFAULT_SOCKET_BUFFER, DEFAULT_EVENT_BUFFER,
                DEFAULT_EVENT_BUFFER_MAX, OVERRUN_RESYNC, OwnerMark.DEFAULT, DEFAULT_ENCRYPTION);
    }

    public EngineConfig withDirectInject(boolean on) {
        return new EngineConfig(node, peer, reliable, links, key, mode, filter, cacheLimit, on, commitTimeout,
                purgeTimeout, tcpWindowTracking, startupResync, maxDatagram, socketBuffer, eventBuffer, eventBufferMax,
                overrunResync, ownerMark, encryption);
    }

    public EngineConfig withReliable(boolean on) {
        return new EngineConfig(node, peer, on, links, key, mode, filter, cacheLimit, directInject, commitTimeout,
                purgeTimeout, tcpWindowTracking, startupResync, maxDatagram, socketBuffer, eventBuffer, eventBufferMax,
                overrunResync, ownerMark, encryption);
    }

    public EngineConfig withFilter(FlowFilter f) {
        return new EngineConfig(node, peer, reliable, links, key, mode, f, cacheLimit, directInject, commitTimeout,
                purgeTimeout, tcpWindowTracking, startupResync, maxDatagram, socketBuffer, eventBuffer, eventBufferMax,
                overrunResync, ownerMark, encryption);
    }

    public EngineConfig withPurgeTimeout(Duration d) {
        return new EngineConfig(node, peer, reliable, links, key, mode, filter, cacheLimit, directInject, commitTimeout,
                d, tcpWindowTracking, startupResync, maxDatagram, socketBuffer, eventBuffer, eventBufferMax,
                overrunResync, ownerMark, encryption);
    }

    public EngineConfig withEncryption(Encryption e) {
        return new EngineConfig(node, peer, reliable, links, key, mode, filter, cacheLimit, directInject, commitTimeout,
                purgeTimeout, tcpWindowTracking, startupResync, maxDatagram, socketBuffer, eventBuffer, eventBufferMax,
                overrunResync, ownerMark, e);
    }

    public EngineConfig withOwnerMark(OwnerMark m) {
        return new EngineConfig(node, peer, reliable, links, key, mode, filter, cacheLimit, directInject, commitTimeout,
                purgeTimeout, tcpWindowTracking, startupResync, maxDatagram, socketBuffer, eventBuffer, eventBufferMax,
                overrunResync, m, encryption);
    }
}
