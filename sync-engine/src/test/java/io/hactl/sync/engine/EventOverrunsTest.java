package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** An overrun is reported once the event queue drained, or after a while of congestion and again at the drain. */
class EventOverrunsTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void anOverrunIsReportedOnceTheQueueHasDrainedAndOnlyOnce() {
        EventOverruns o = new EventOverruns();
        assertThat(o.reportNow(true, 0)).as("nothing lost").isFalse();
        o.lost(0);
        assertThat(o.reportNow(false, SECOND / 10)).as("still queued").isFalse();
        o.lost(SECOND / 5); // lost again while congested: one report covers both
        assertThat(o.reportNow(false, SECOND)).isFalse();
        assertThat(o.reportNow(true, 2 * SECOND)).as("drained").isTrue();
        assertThat(o.reportNow(true, 3 * SECOND)).isFalse();
    }

    @Test
    void aQueueThatDoesNotDrainIsReportedAfterAWhileAndAgainWhenItDrains() {
        EventOverruns o = new EventOverruns();
        long max = EventOverruns.CONGESTED_MAX.toNanos();
        o.lost(-7 * SECOND); // a monotonic clock may read negative
        assertThat(o.reportNow(false, -7 * SECOND + max - 1)).isFalse();
        assertThat(o.reportNow(false, -7 * SECOND + max)).isTrue();
        assertThat(o.reportedWhileCongested()).isTrue();
        assertThat(o.reportNow(false, -7 * SECOND + 3 * max)).as("once while congested").isFalse();
        assertThat(o.reportNow(true, -7 * SECOND + 3 * max)).as("and at the drain").isTrue();
        assertThat(o.reportedWhileCongested()).isFalse();
    }
}
