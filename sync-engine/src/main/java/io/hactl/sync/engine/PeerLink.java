package io.hactl.sync.engine;

import io.hactl.sync.mode.DatagramOutbox;
import io.hactl.sync.mode.FtfwMode;
import io.hactl.sync.mode.NotrackMode;
import io.hactl.sync.mode.PeerReceiver;
import io.hactl.sync.mode.StateSource;
import io.hactl.sync.mode.SyncListener;
import io.hactl.sync.mode.SyncMode;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.transport.DatagramHandler;
import io.hactl.sync.transport.LinkState;
import io.hactl.sync.transport.TransportException;
import io.hactl.sync.transport.TransportStats;
import io.hactl.sync.transport.UdpTransport;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.Epochs;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * The sync link to the peer: the sync mode (FTFW or NOTRACK, chosen once) over authenticated
 * datagrams on the UDP transport's links, which run on the engine's event loop.
 */
final class PeerLink implements AutoCloseable {
    private final EngineConfig cfg;
    private final SyncMode mode;
    private final UdpTransport transport;
    private final SyncStats stats;
    private long lastLinkCheck;

    /**
     * Opens the links; {@code acks} sees every acknowledged flow (FTFW only), {@code fromPeer}
     * what the peer tells.
     */
    PeerLink(EngineConfig cfg, EventLoopGroup group, StateSource state, SyncListener fromPeer, SyncStats stats,
             TransportStats transportStats, LongSupplier clock, FtfwMode.AckObserver acks) throws TransportException {
        this.cfg = cfg;
        this.stats = stats;
        long epoch = Epochs.next(); // random: a restart is told apart whatever the clocks say
        UdpTransport[] out = new UdpTransport[1];
        DatagramOutbox outbox = new DatagramOutbox(new Authenticator(cfg.key(), cfg.encryption()), epoch,
                cfg.maxDatagram(), buf -> out[0].send(buf), stats);
        mode = cfg.reliable()
                ? new FtfwMode(cfg.mode(), state, outbox, fromPeer, stats, cfg.peer())
                : new NotrackMode(cfg.mode(), state, outbox, fromPeer, stats, cfg.peer());
        if (mode instanceof FtfwMode f) {
            f.setAckObserver(acks);
        }
        PeerReceiver receiver = new PeerReceiver(new Authenticator(cfg.key(), cfg.encryption()), mode,
                CompactFlowCheck.INSTANCE, cfg.peer());
        transport = UdpTransport.open(cfg.node(), cfg.links(), group, cfg.socketBuffer(), LinkState.KERNEL,
                new DatagramHandler.Receiver() {
                    @Override
                    public void datagram(ByteBuffer bytes, InetSocketAddress sender, int link) {
                        receiver.receive(bytes, clock.getAsLong());
                    }

                    @Override
                    public void foreign(InetSocketAddress sender, int link, int bytes) {
                        receiver.foreign(sender, bytes, clock.getAsLong());
                    }
                }, transportStats);
        out[0] = transport;
    }

    SyncMode mode() {
        return mode;
    }

    /** At a tick (on the loop): the mode's timers and sending; the links' health once a heartbeat. */
    void tick(long now) {
        mode.tick(now);
        if (now - lastLinkCheck >= cfg.mode().heartbeat().toNanos()) {
            lastLinkCheck = now;
            transport.checkLinks(stats.peerAlive);
        }
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        cfg.links().forEach(l -> sb.append(sb.length() > 0 ? "; " : "").append(l.describe()));
        return sb.toString();
    }

    @Override
    public void close() {
        transport.close();
    }
}
