package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
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

    static Flow translated(String replySrc, int replySrcPort, String replyDst, int replyDstPort) throws Exception {
        InetAddress client = InetAddress.getByName("10.50.0.10");
        InetAddress server = InetAddress.getByName("203.0.113.5");
        return Flow.builder(Tuple.tcp(client, server, 40000, 443))
                .reply(Tuple.tcp(InetAddress.getByName(replySrc), InetAddress.getByName(replyDst), replySrcPort, replyDstPort))
                .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED | Ctnl.IPS_SRC_NAT | Ctnl.IPS_SRC_NAT_DONE).timeout(300)
                .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build();
    }

    @Test
    void aTranslatedFlowGetsItsNatBackFromTheReplyTuple() throws Exception {
        CommitPlanner p = new CommitPlanner(null, false, OwnerMark.DEFAULT);
        InetAddress vip = InetAddress.getByName("10.60.0.1");
        InetAddress inside = InetAddress.getByName("10.50.0.20");

        Flow snat = p.plan(translated("203.0.113.5", 443, "10.60.0.1", 40000), 0, 0);
        assertThat(snat.snat()).as("source NAT, port kept").isEqualTo(NatRange.to(vip));
        assertThat(snat.dnat()).isNull();
        assertThat(snat.reply()).as("written as the inverse of the original, which the kernel maps").isNull();

        Flow snatPort = p.plan(translated("203.0.113.5", 443, "10.60.0.1", 61000), 0, 0);
        assertThat(snatPort.snat()).as("source NAT to another port").isEqualTo(NatRange.to(vip, 61000));

        Flow dnat = p.plan(translated("10.50.0.20", 8443, "10.50.0.10", 40000), 0, 0);
        assertThat(dnat.dnat()).as("destination NAT, port changed").isEqualTo(NatRange.to(inside, 8443));
        assertThat(dnat.snat()).isNull();

        assertThat(p.plan(tcp(300), 0, 0).snat()).as("reply tuple absent: the inverse").isNull();
        Flow inverse = tcp(300).toBuilder().reply(tcp(300).orig().inverse()).build();
        assertThat(p.plan(inverse, 0, 0).snat()).as("reply tuple the inverse").isNull();
        assertThat(p.plan(inverse, 0, 0).dnat()).isNull();
    }
}
