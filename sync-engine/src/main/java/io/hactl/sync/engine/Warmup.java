package io.hactl.sync.engine;

import io.hactl.sync.cache.CompactFlow;
import io.hactl.sync.cache.CompactFlowException;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.AttrWriter;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeException;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.ctnetlink.FlowCodec;
import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import io.hactl.sync.ctnetlink.NetlinkException;
import io.hactl.sync.ctnetlink.NlMsg;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.DatagramCodec;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.WireException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the hot paths (kernel message codec, compact encoding, caches, commit planning, batched
 * writes, datagram sealing and opening) on synthetic flows at start, so that the JIT has compiled
 * them before the first failover. A commit is usually the first large operation of a daemon's
 * life, and interpreted it takes twice as long. Touches neither the kernel nor the network.
 */
public final class Warmup {
    private Warmup() {}

    /** Returns the milliseconds it took. */
    public static long run(int flows) {
        long t0 = System.nanoTime();
        try {
            List<Flow> batch = synthetic(flows);
            FlowStore store = new FlowStore("warmup", flows);
            CommitPlanner planner = new CommitPlanner(null, false);
            DecodeStats stats = new DecodeStats();
            AttrWriter w = new AttrWriter(1024);
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Authenticator auth = new Authenticator(key);
            ByteBuffer datagram = ByteBuffer.allocate(1500);
            List<Message> pack = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (Flow f : batch) {
                    byte[] enc = CompactFlow.encode(f);
                    Flow back = CompactFlow.decode(enc);
                    store.putEncoded(enc, 1);
                    store.handleOfKey(CompactFlow.encodeKey(back.orig(), back.zone()));
                    Flow planned = planner.plan(back, 0, 0);
                    w.clear();
                    int m = w.beginMessage(Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW), Ctnl.NLM_F_REQUEST, 1, Ctnl.AF_INET, 0);
                    FlowCodec.encode(w, planned);
                    w.endMessage(m);
                    ByteBuffer msg = w.flipped();
                    NlMsg h = NlMsg.read(msg, 0);
                    FlowCodec.decode(msg, h.attrStart(), h.end(), stats);
                    pack.add(new Message.FlowUpdate(1, enc));
                    if (pack.size() == 30) {
                        datagram.clear();
                        DatagramCodec.seal(datagram, 1, 1, pack, auth);
                        datagram.flip();
                        DatagramCodec.open(datagram, auth);
                        pack.clear();
                    }
                }
                store.forEachMastersFirst((handle, f, u) -> { });
                store.clear();
            }
            InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
            try (Conntrack ct = new Conntrack(kernel.openSocket(), stats)) {
                ct.batch(batch, BatchMode.CREATE_OR_UPDATE);
                ct.dump(Ctnl.AF_UNSPEC, f -> { });
                ct.batchDelete(batch);
            }
        } catch (CompactFlowException | DecodeException | WireException | NetlinkException | UnknownHostException e) {
            throw new IllegalStateException("warm-up found a codec fault: " + e.getMessage(), e);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static List<Flow> synthetic(int n) throws UnknownHostException {
        List<Flow> out = new ArrayList<>(n);
        InetAddress dst = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < n; i++) {
            InetAddress src = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
            out.add(Flow.builder(Tuple.tcp(src, dst, 1024 + (i & 0x7fff), 443)).timeout(300).mark(i & 7)
                    .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED | Ctnl.IPS_CONFIRMED)
                    .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 7, 7, Ctnl.IP_CT_TCP_FLAG_SACK_PERM, 0)).build());
        }
        return out;
    }
}
