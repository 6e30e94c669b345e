package io.hactl.controller.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The real loop: one thread, tasks in order, timers not before their deadline, a cancelled one
 * never. Real time on a possibly busy machine: the test asserts no order between a task and a
 * timer, and cancels a timer a second before it is due.
 */
class ExecutorLoopTest {
    static final long MILLI = 1_000_000L;

    @Test
    void runsTasksInOrderOnItsThreadAndTimersAtTheirDeadlineUnlessCancelled() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        try (ExecutorLoop loop = new ExecutorLoop("vrrpctl-test-loop")) {
            long start = loop.nanoTime();
            long[] firedAt = new long[2];
            VrrpLoop.Timer cancelled = loop.at(start + 1000 * MILLI, () -> ran.add("cancelled"));
            cancelled.cancel();
            loop.at(start + 50 * MILLI, () -> {
                firedAt[0] = loop.nanoTime();
                ran.add("timer " + Thread.currentThread().getName());
            });
            loop.at(start + 1500 * MILLI, () -> {
                firedAt[1] = loop.nanoTime();
                ran.add("last");
            });
            loop.execute(() -> ran.add("first"));
            loop.execute(() -> ran.add("second"));

            await().atMost(Duration.ofSeconds(10)).until(() -> ran.contains("last"));
            assertThat(ran).containsSubsequence("first", "second").contains("timer vrrpctl-test-loop")
                    .doesNotContain("cancelled").endsWith("last");
            assertThat(firedAt[0] - start).isGreaterThanOrEqualTo(50 * MILLI);
            assertThat(firedAt[1] - start).isGreaterThanOrEqualTo(1500 * MILLI);
        }
    }
}
