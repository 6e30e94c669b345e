package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.netlink.NlMsg;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Flows, raw sends and receives shared by the tests that run against the in-memory kernel. */
final class FakeKernelFixtures {
    private FakeKernelFixtures() {}

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static Flow tcpEstablished(String src, String dst, int sport, int dport) {
        return Flow.builder(Tuple.tcp(ip(src), ip(dst), sport, dport))
                .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED)
                .timeout(300)
                .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED))
                .build();
    }

    /** {@code n} distinct established TCP flows from 10.4.x.y. */
    static List<Flow> tcpFlows(int n, int firstPort) {
        List<Flow> flows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            flows.add(tcpEstablished("10.4." + (i / 250) + "." + (1 + i % 250), "10.5.0.1", firstPort + i, 443));
        }
        return flows;
    }

    /** Every datagram queued on the socket, until it answers EAGAIN. */
    static List<ByteBuffer> drain(NetlinkSocket s) throws NetlinkException {
        List<ByteBuffer> out = new ArrayList<>();
        while (true) {
            ByteBuffer rx = ByteBuffer.allocate(64 * 1024);
            try {
                s.receive(rx);
            } catch (NetlinkException e) {
                if (e.isTimeout()) {
                    return out;
                }
                throw e;
            }
            out.add(rx);
        }
    }

    /** The netlink messages of one datagram. */
    static List<NlMsg> messages(ByteBuffer datagram) throws DecodeException {
        List<NlMsg> out = new ArrayList<>();
        for (int off = 0; off < datagram.limit(); ) {
            NlMsg m = Nfgenmsg.read(datagram, off);
            out.add(m);
            off = m.next();
        }
        return out;
    }

    /** A CT_NEW request carrying exactly the given attributes' worth of the flow (no codec fix-ups). */
    static ByteBuffer rawNew(Flow f, int flags, int seq, boolean withReply, boolean withTimeout) {
        AttrWriter w = new AttrWriter(512);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW), Netlink.NLM_F_REQUEST | flags, seq,
                f.family(), 0);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, f.orig());
        if (withReply) {
            TupleCodec.encode(w, Ctnl.CTA_TUPLE_REPLY, f.replyOrInverse());
        }
        w.putU32(Ctnl.CTA_STATUS, f.status());
        if (withTimeout) {
            w.putU32(Ctnl.CTA_TIMEOUT, f.timeout());
        }
        w.endMessage(m);
        return w.flipped();
    }

    /** A request with only a header and nfgenmsg. */
    static ByteBuffer bare(int ctType, int flags, int seq, int family, int version) {
        AttrWriter w = new AttrWriter(64);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(ctType), Netlink.NLM_F_REQUEST | flags, seq, family, version, 0);
        w.endMessage(m);
        return w.flipped();
    }

    static ByteBuffer concat(ByteBuffer... parts) {
        int n = 0;
        for (ByteBuffer p : parts) {
            n += p.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
        for (ByteBuffer p : parts) {
            out.put(p.duplicate());
        }
        return out.flip();
    }
}
