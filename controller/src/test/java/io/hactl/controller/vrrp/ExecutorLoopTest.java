package io.hactl.controller.vrrp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The real loop: one thread, tasks in order, timers at their deadline, a cancelled one never. */
class ExecutorLoopTest {
    @Test
    void runsTasksInOrderOnItsThreadAndTimersAtTheirDeadlineUnlessCancelled() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        try (ExecutorLoop loop = new ExecutorLoop("vrrpctl-test-loop")) {
            long start = loop.nanoTime();
            long[] firedAt = new long[1];
            loop.at(start + 50_000_000L, () -> {
                firedAt[0] = loop.nanoTime();
                ran.add("timer " + Thread.currentThread().getName());
            });
            VrrpLoop.Timer cancelled = loop.at(start + 20_000_000L, () -> ran.add("cancelled"));
            cancelled.cancel();
            loop.execute(() -> ran.add("first"));
            loop.execute(() -> ran.add("second"));

            await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() >= 3);
            assertThat(ran).containsExactly("first", "second", "timer vrrpctl-test-loop");
            assertThat(firedAt[0] - start).isGreaterThanOrEqualTo(50_000_000L);
        }
    }
}
