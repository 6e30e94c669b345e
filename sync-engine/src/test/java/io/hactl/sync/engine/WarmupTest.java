package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The rehearsal at start: real engines on loopback and in-memory tables, no privileges needed. */
class WarmupTest {
    @Test
    void rehearsesReplicationResyncAndCommitForTheRoundsAsked() {
        Warmup.Result r = Warmup.run(2_000, 3, Duration.ofSeconds(60));
        assertThat(r.rounds()).isEqualTo(3);
        assertThat(r.flowsReplicated()).isEqualTo(6_000);
        assertThat(r.stopped()).isEqualTo("done");
        // the live path ran too: the loads and flushes reached engine a as table events
        assertThat(r.kernelEvents()).isPositive();
    }

    @Test
    void aTopUpRoundRunsWithTheSmallestDatagramsEveryFlowFitsIn() {
        // the largest synthetic flows (IPv6, the all-zero SYN proxy state) must fit the smallest
        // datagram's payload, or the round ends at its first bulk
        for (io.hactl.sync.conntrack.Flow f : Warmup.synthetic(2_000, Warmup.GATEWAY_FILTER)) {
            assertThat(io.hactl.sync.wire.Wire.MESSAGE_HEADER_LEN + io.hactl.sync.cache.CompactFlow.encode(f).length)
                    .isLessThanOrEqualTo(Warmup.TOP_UP_DATAGRAM - io.hactl.sync.wire.Wire.OVERHEAD);
        }
        Warmup.Result r = Warmup.topUp(shape(Warmup.GATEWAY_FILTER), 2_000, Duration.ofSeconds(60));
        assertThat(r.rounds()).isEqualTo(1);
        assertThat(r.flowsReplicated()).isEqualTo(2_000);
        assertThat(r.stopped()).isEqualTo("done");
    }

    @Test
    void stopsAtItsTimeBudgetAfterTheRoundUnderWay() {
        Warmup.Result r = Warmup.run(2_000, 1_000, Duration.ZERO);
        assertThat(r.rounds()).isZero();
        assertThat(r.flowsReplicated()).isZero();
    }

    @Test
    void theRehearsalsFlowsTakeEveryBranchOfTheDaemonsFilter() {
        FlowFilter filter = new FlowFilter(java.util.Set.of(), java.util.List.of(Cidr.parse("10.99.0.0/24"),
                Cidr.parse("fd00::/64")), java.util.Set.of());
        java.util.List<io.hactl.sync.conntrack.Flow> flows = Warmup.synthetic(4_000, filter);
        // inside each ignored prefix, and next to it (all but the prefix's last bit the same)
        assertThat(flows).anyMatch(f -> filter.ignore().get(0).contains(f.orig().src()));
        assertThat(flows).anyMatch(f -> filter.ignore().get(1).contains(f.orig().src()));
        assertThat(flows).anyMatch(f -> f.orig().src().getHostAddress().startsWith("10.99.1."));
        assertThat(flows).anyMatch(f -> f.orig().src().getHostAddress().startsWith("fd00:0:0:1:"));
        assertThat(flows).filteredOn(filter::accepts).hasSizeBetween(3_900, 3_999);
        // shapes a gateway's table holds besides IPv4 TCP: IPv6, UDP, ctnetlink-written flows
        assertThat(flows).anyMatch(f -> f.family() == io.hactl.sync.ctnetlink.Ctnl.AF_INET6);
        assertThat(flows).anyMatch(f -> f.orig().protocol() == io.hactl.sync.conntrack.Tuple.UDP);
        assertThat(flows).anyMatch(f -> f.synproxy() != null);
        assertThat(flows).anyMatch(f -> f.synproxy() == null);
        // one key each, as a table holds them
        assertThat(flows.stream().map(f -> f.orig()).distinct().count()).isEqualTo(flows.size());
    }

    @Test
    void aRehearsalShapedLikeTheDaemonRunsWithItsFilter() {
        // the filter ignores nearly every synthetic flow: the bulks carry the rest
        Warmup.Result r = Warmup.run(shape(new FlowFilter(java.util.Set.of(), java.util.List.of(Cidr.parse("10.0.0.0/8")),
                java.util.Set.of())), 2_000, 2, Duration.ofSeconds(60));
        assertThat(r.rounds()).isEqualTo(2);
        assertThat(r.stopped()).isEqualTo("done");
    }

    @Test
    void aFilterNoSyntheticFlowPassesIsLeftOutRatherThanTheRehearsal() {
        // ICMP only: with it the bulks would be empty and the rehearsal would wait them out
        Warmup.Result r = Warmup.run(shape(new FlowFilter(java.util.Set.of(1), java.util.List.of(), java.util.Set.of())),
                2_000, 1, Duration.ofSeconds(60));
        assertThat(r.rounds()).isEqualTo(1);
        assertThat(r.stopped()).isEqualTo("done");
    }

    private static EngineConfig shape(FlowFilter filter) {
        return EngineConfig.defaults("gw1", "gw2", java.util.List.of(new io.hactl.sync.transport.LinkSpec("sync",
                new java.net.InetSocketAddress("192.0.2.1", 3780), new java.net.InetSocketAddress("192.0.2.2", 3780), false)),
                new byte[32]).withFilter(filter);
    }
}
