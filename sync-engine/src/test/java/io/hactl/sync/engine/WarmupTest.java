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
    void stopsAtItsTimeBudgetAfterTheRoundUnderWay() {
        Warmup.Result r = Warmup.run(2_000, 1_000, Duration.ZERO);
        assertThat(r.rounds()).isZero();
        assertThat(r.flowsReplicated()).isZero();
    }
}
