package io.hactl.sync.ctnetlink;

import static io.hactl.sync.ctnetlink.FakeKernelFixtures.tcpFlows;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.sys.Sockets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link ConntrackContract} against the in-memory kernel, plus what only the fake can stage. */
class InMemoryConntrackContractTest extends ConntrackContract {
    private InMemoryConntrackKernel kernel;
    private FakeNetlinkSocket socket;

    @Override
    protected void openTable() {
        kernel = new InMemoryConntrackKernel();
    }

    @Override
    protected void closeTable() {
        kernel = null;
    }

    @Override
    protected Conntrack newConntrack() {
        FakeNetlinkSocket s = kernel.openSocket();
        if (socket == null) {
            socket = s; // the socket of the connection under test
        }
        return new Conntrack(s, new DecodeStats());
    }

    @Override
    protected NetlinkSocket newRawSocket() {
        return kernel.openSocket();
    }

    @Override
    protected ConntrackEvents newEvents(int receiveBuffer, DecodeStats stats, int... groups) throws Exception {
        FakeNetlinkSocket s = kernel.openSocket();
        for (int g : groups) {
            s.joinGroup(g);
        }
        ConntrackEvents.sizeReceiveBuffer(s, receiveBuffer);
        s.setReceiveTimeout(Duration.ofMillis(100));
        return new ConntrackEvents(s, stats);
    }

    @Override
    protected int countSeenFromOutside(int family) {
        return (int) kernel.flows().stream().filter(f -> f.family() == family).count();
    }

    @Override
    protected void assertSeenFromOutside(Flow read) {
        assertThat(kernel.get(read.orig(), read.zone())).hasValueSatisfying(f -> {
            assertThat(f.reply()).isEqualTo(read.reply());
            assertThat(f.mark()).isEqualTo(read.mark());
            assertThat(f.zone()).isEqualTo(read.zone());
        });
    }

    @Override
    protected void assertTimeout(long read, long written) {
        assertThat(read).as("timeout (the in-memory kernel's never runs down)").isEqualTo(written);
    }

    @Test
    void batchWhoseAnswersOverrunTheReceiveQueueReportsEnobufsForTheFlowsLeftWithoutAnswer() throws Exception {
        ct.setBatchLimits(16, 4096);
        List<Flow> flows = tcpFlows(32, 40000);
        for (int i = 0; i < 10; i += 2) {
            ct.create(flows.get(i)); // #0, #2, #4, #6, #8 of the first chunk will answer EEXIST
        }
        // Room for two answers: #4's is dropped, and with it every later one of that chunk,
        // its final ack included, since the socket stays congested until it is read empty.
        socket.setQueueLimit(2);

        BatchResult r = ct.batch(flows, BatchMode.CREATE);

        assertThat(r.errno(0)).isEqualTo(Errno.EEXIST);
        assertThat(r.errno(1)).as("before the last answer read: known to have succeeded").isZero();
        assertThat(r.errno(2)).isEqualTo(Errno.EEXIST);
        for (int i = 3; i < 16; i++) {
            assertThat(r.errno(i)).as("errno of #%d, whose answer may have been lost", i).isEqualTo(Errno.ENOBUFS);
        }
        for (int i = 16; i < 32; i++) {
            assertThat(r.errno(i)).as("errno of #%d in the next chunk", i).isZero();
        }
        assertThat(socket.drops()).isEqualTo(4); // #4, #6, #8 and the chunk's ack
        assertThat(kernel.size()).isEqualTo(32);
        assertThat(ct.count()).as("the socket works again").isEqualTo(32);
        assertThat(countSeenFromOutside(Sockets.AF_INET)).isEqualTo(32);
    }
}
