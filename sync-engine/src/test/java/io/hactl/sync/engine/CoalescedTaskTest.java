package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoalescedTaskTest {
    private final Queue<Runnable> loop = new ArrayDeque<>();
    private final AtomicInteger runs = new AtomicInteger();
    private final CoalescedTask task = new CoalescedTask(loop::add, runs::incrementAndGet);

    private void runQueued() {
        for (Runnable r; (r = loop.poll()) != null; ) {
            r.run();
        }
    }

    @Test
    void requestsBeforeItRunsMakeOneRunAfterTheTasksQueuedBefore() {
        Runnable earlier = () -> assertThat(runs).as("not before the tasks queued ahead of it").hasValue(0);
        loop.add(earlier);
        task.run();
        task.run();
        task.run();
        assertThat(loop).hasSize(2);
        runQueued();
        assertThat(runs).hasValue(1);
    }

    @Test
    void aRequestAfterTheRunQueuesAnotherRun() {
        task.run();
        runQueued();
        task.run();
        runQueued();
        assertThat(runs).hasValue(2);
    }
}
