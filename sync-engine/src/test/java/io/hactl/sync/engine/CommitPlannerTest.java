package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Ctnl;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommitPlannerTest {
    static final long S = 1_000_000_000L;

    static Flow tcp(long timeout) throws Exception {
        return Flow.builder(Tuple.tcp(InetAddress.getByName("10.0.0.1"), InetAddress.getByName("10.0.0.2"), 1, 2))
                .timeout(timeout).id(77)
                .protoInfo(new TcpInfo(TcpInfo.ESTABLISHED, 7, 7, Ctnl.IP_CT_TCP_FLAG_SACK_PERM, 0)).build();
    }

    @Test
    void timeoutIsWhatWasLeftOfTheReceivedOne() throws Exception {
        CommitPlanner p = new CommitPlanner(null, false, OwnerMark.DEFAULT);
        assertThat(p.plan(tcp(300), 100 * S, 130 * S).timeout()).isEqualTo(270);
        assertThat(p.plan(tcp(300), 100 * S, 100 * S).timeout()).isEqualTo(300);
        assertThat(p.plan(tcp(20), 100 * S, 130 * S).timeout()).as("ran out").isEqualTo(60);
    }

    @Test
    void configuredCommitTimeoutWins() throws Exception {
        assertThat(new CommitPlanner(Duration.ofSeconds(180), false, OwnerMark.DEFAULT).plan(tcp(5), 0, 100 * S).timeout()).isEqualTo(180);
    }

    @Test
    void tcpGetsBeLiberalUnlessWindowTrackingIsKeptAndTheIdIsDropped() throws Exception {
        Flow planned = new CommitPlanner(null, false, OwnerMark.DEFAULT).plan(tcp(300), 0, 0);
        assertThat(planned.tcp().flagsOrig()).isEqualTo(Ctnl.IP_CT_TCP_FLAG_SACK_PERM | Ctnl.IP_CT_TCP_FLAG_BE_LIBERAL);
        assertThat(planned.tcp().flagsReply()).isEqualTo(Ctnl.IP_CT_TCP_FLAG_BE_LIBERAL);
        assertThat(planned.id()).isEqualTo(Flow.ABSENT);
        Flow tracked = new CommitPlanner(null, true, OwnerMark.DEFAULT).plan(tcp(300), 0, 0);
        assertThat(tracked.tcp().flagsOrig()).isEqualTo(Ctnl.IP_CT_TCP_FLAG_SACK_PERM);
    }
}
