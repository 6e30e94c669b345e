package io.hactl.controller.config;

import io.hactl.sync.engine.EngineConfig;
import io.hactl.sync.filter.FlowFilter;
import io.hactl.sync.engine.OwnerMark;
import io.hactl.sync.mode.ModeConfig;
import io.hactl.sync.transport.LinkSpec;
import io.hactl.sync.wire.Encryption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The {@code sync:} section. */
public record SyncConfig(boolean reliable, boolean multicast, List<LinkSpec> links, Path keyFile, boolean directInject,
                         Duration purgeTimeout, Duration commitTimeout, boolean tcpWindowTracking, boolean startupResync,
                         Duration heartbeat, Duration deadAfter, int ackWindow, int resendQueue, int cacheLimit,
                         int mtu, int socketBuffer, int eventBuffer, int eventBufferMax, FlowFilter filter,
                         OwnerMark ownerMark, Encryption encryption) {
    public SyncConfig {
        links = List.copyOf(links);
    }

    /** The engine's settings, with the key read from {@link #keyFile}; what the file cannot set is the engine's default. */
    public EngineConfig toEngine(String node, byte[] key) {
        LinkSpec first = links.get(0);
        String peer = first.remote().getAddress().getHostAddress();
        boolean ipv6 = first.local().getAddress().getAddress().length == 16;
        ModeConfig d = ModeConfig.DEFAULTS;
        return new EngineConfig(node, peer, reliable, links, key,
                new ModeConfig(ackWindow, resendQueue, heartbeat, deadAfter, d.maxPerPass(), d.ackDelay()),
                filter, cacheLimit, directInject, commitTimeout, purgeTimeout, tcpWindowTracking, startupResync,
                EngineConfig.maxDatagram(mtu, ipv6), socketBuffer, eventBuffer, eventBufferMax, EngineConfig.OVERRUN_RESYNC,
                ownerMark, encryption);
    }
}
