package io.hactl.sync.ctnetlink;

import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpFlows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.Netlink;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batches on the in-memory kernel: chunking by the limits, one errno per request, numbering. */
class BatchSenderTest {
    private final InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
    private final RequestSocket requests = new RequestSocket(kernel.openSocket(), new DecodeStats());
    private final BatchSender sender = new BatchSender(requests, new AttrWriter(128 * 1024));

    @AfterEach
    void close() {
        sender.close();
        requests.close();
    }

    private static RequestEncoder creates(List<Flow> flows) {
        return (w, i, s) -> {
            int m = Nfgenmsg.begin(w, Ctnl.ctMessageType(Ctnl.IPCTNL_MSG_CT_NEW),
                    Netlink.NLM_F_REQUEST | BatchMode.CREATE.flags, s, flows.get(i).family(), 0);
            FlowCodec.encode(w, flows.get(i));
            w.endMessage(m);
        };
    }

    @Test
    void chunksHoldAtMostTheMessageLimitAndEachRequestGetsItsOwnErrno() throws Exception {
        sender.setLimits(10, 96 * 1024);
        List<Flow> flows = tcpFlows(25, 30000);
        kernel.inject(flows.get(3));
        kernel.inject(flows.get(24));

        BatchResult r = sender.run(25, creates(flows));

        assertThat(r.sends()).isEqualTo(3);
        assertThat(r.errno(3)).isEqualTo(Errno.EEXIST);
        assertThat(r.errno(24)).as("the last request, whose answer is the chunk's ack").isEqualTo(Errno.EEXIST);
        assertThat(r.succeeded()).isEqualTo(23);
        assertThat(kernel.size()).isEqualTo(25);
    }

    @Test
    void aChunkEndsOnceItReachesTheByteLimit() throws Exception {
        sender.setLimits(256, 1024);
        List<Flow> flows = tcpFlows(40, 30000);

        BatchResult r = sender.run(40, creates(flows));

        assertThat(r.sends()).as("a few requests of some 100 bytes per KiB").isBetween(4, 20);
        assertThat(r.succeeded()).isEqualTo(40);
    }

    @Test
    void everyRequestTakesTheNextSequenceNumberAcrossChunks() throws Exception {
        sender.setLimits(4, 96 * 1024);
        int before = requests.peekSeq();

        sender.run(10, creates(tcpFlows(10, 30000)));

        assertThat(requests.peekSeq()).isEqualTo(before + 10);
    }

    @Test
    void anEmptyBatchSendsNothing() throws Exception {
        BatchResult r = sender.run(0, (w, i, s) -> {
            throw new AssertionError("nothing to encode");
        });

        assertThat(r.size()).isZero();
        assertThat(r.sends()).isZero();
    }

    @Test
    void whatAnEncoderThrowsOnTheEncoderThreadIsThrownToTheCaller() throws Exception {
        sender.setLimits(5, 96 * 1024);
        List<Flow> flows = tcpFlows(20, 30000);
        RequestEncoder good = creates(flows);

        assertThatThrownBy(() -> sender.run(20, (w, i, s) -> {
            if (i == 12) {
                throw new IllegalStateException("request 12 unwritable");
            }
            good.encode(w, i, s);
        })).isInstanceOf(IllegalStateException.class).hasMessage("request 12 unwritable");
        assertThat(kernel.size()).as("the two chunks before it").isEqualTo(10);
    }

    @Test
    void limitsBelowOneMessageOrOneKibAreRefused() {
        assertThatThrownBy(() -> sender.setLimits(0, 4096)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sender.setLimits(8, 1023)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batch limits 8 messages / 1023 bytes too small");
    }
}
