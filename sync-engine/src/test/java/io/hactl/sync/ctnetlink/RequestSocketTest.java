package io.hactl.sync.ctnetlink;

import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpEstablished;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.Netlink;
import io.hactl.sync.sys.Sockets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request/answer exchange on the in-memory kernel. */
class RequestSocketTest {
    private final InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
    private final DecodeStats stats = new DecodeStats();
    private final RequestSocket requests = new RequestSocket(kernel.openSocket(), stats);

    private void sendGet(Flow f, int seq) throws Exception {
        AttrWriter w = new AttrWriter(1024);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_GET), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK,
                seq, Sockets.AF_INET, 0);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, f.orig());
        w.endMessage(m);
        requests.send(w.flipped());
    }

    @Test
    void sequenceNumbersCountUpOnePerRequest() {
        int first = requests.nextSeq();
        assertThat(requests.peekSeq()).isEqualTo(first + 1);
        assertThat(requests.nextSeq()).isEqualTo(first + 1);
    }

    @Test
    void awaitAckSkipsTheLateAnswersOfEarlierRequestsAndHandsOnItsOwnData() throws Exception {
        Flow held = kernel.inject(tcpEstablished("10.10.0.1", "10.10.0.2", 4000, 80));
        Flow missing = tcpEstablished("10.10.0.3", "10.10.0.2", 4000, 80);
        int early = requests.nextSeq();
        int late = requests.nextSeq();
        sendGet(missing, early);
        sendGet(held, late);

        List<Flow> data = new ArrayList<>();
        int errno = requests.awaitAck(late, msg -> data.add(requests.decodeFlow(msg)));

        assertThat(errno).isZero();
        assertThat(data).extracting(Flow::orig).containsExactly(held.orig());
    }

    @Test
    void anErrorAnswerIsItsErrno() throws Exception {
        int s = requests.nextSeq();
        sendGet(tcpEstablished("10.10.0.3", "10.10.0.2", 4000, 80), s);

        assertThat(requests.awaitAck(s, null)).isEqualTo(Errno.ENOENT);
    }

    @Test
    void aDumpStreamsEveryFlowUntilItsEnd() throws Exception {
        for (int i = 0; i < 300; i++) {
            kernel.inject(tcpEstablished("10.10.1." + (1 + i % 250), "10.10.0.2", 4000 + i, 80));
        }
        int s = requests.nextSeq();
        AttrWriter w = new AttrWriter(1024);
        int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_GET), Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP,
                s, Sockets.AF_UNSPEC, 0);
        w.endMessage(m);
        requests.send(w.flipped());

        List<Flow> seen = new ArrayList<>();
        assertThat(requests.receiveDump(s, seen::add)).isEqualTo(300);
        assertThat(seen).hasSize(300);
        assertThat(stats.malformedMessages.get()).isZero();
    }
}
