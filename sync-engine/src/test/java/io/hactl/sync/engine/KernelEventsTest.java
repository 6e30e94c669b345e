package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.cache.TestFlows;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.ctnetlink.FakeNetlinkSocket;
import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class KernelEventsTest {
    /** A blocking event socket on {@code kernel}, joined to the NEW group, its polls waiting at most {@code timeout}. */
    private static FakeNetlinkSocket newEventsSocket(InMemoryConntrackKernel kernel, Duration timeout) throws Exception {
        FakeNetlinkSocket s = kernel.openSocket();
        s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        s.setReceiveTimeout(timeout);
        s.setBlocking(true);
        return s;
    }

    /** A reader of {@code s} (1 MiB event buffer at most) handing its batches to {@code sink}, its overruns to {@code overrun}. */
    private static KernelEvents reader(FakeNetlinkSocket s, KernelEvents.BatchSink sink, Runnable overrun) {
        return new KernelEvents("t", new ConntrackEvents(s, new DecodeStats()), 1 << 20, sink, overrun, System::nanoTime);
    }

    /** A loop that applies each batch at once, after it went to {@code to}. */
    private static KernelEvents.BatchSink appliedAtOnce(Consumer<List<FlowEvent>> to) {
        return (batch, applied) -> {
            to.accept(batch);
            applied.run();
        };
    }

    @Test
    void theLastEventsOfABurstAreHandedOverWithoutWaitingForThePollTimeout() throws Exception {
        InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
        FakeNetlinkSocket s = kernel.openSocket();
        s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_DESTROY);
        // a poll timeout far beyond the wait below: the reader must not sit on events until it ends
        s.setReceiveTimeout(Duration.ofSeconds(20));
        s.setBlocking(true);
        List<FlowEvent> got = Collections.synchronizedList(new ArrayList<>());
        KernelEvents reader = reader(s, appliedAtOnce(got::addAll), () -> { });
        reader.start();
        try {
            for (int i = 0; i < 3; i++) {
                kernel.inject(TestFlows.tcp4(i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 3);
            kernel.inject(TestFlows.tcp4(3)); // and a lone event later
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 4);
            assertThat(got).extracting(FlowEvent::type).containsOnly(FlowEvent.Type.NEW);
        } finally {
            s.close(); // wakes the reader
            reader.stop();
        }
    }

    /**
     * The loop has not applied the batches handed over: the reader leaves what comes next in the
     * socket, where the kernel holds it, and reads on once the loop has applied one.
     */
    @Test
    void theReaderWaitsForTheLoopBeyondTwoBatchesAndTheBacklogWaitsInTheSocket() throws Exception {
        InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
        FakeNetlinkSocket s = newEventsSocket(kernel, Duration.ofMillis(50));
        List<List<FlowEvent>> handed = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> toApply = Collections.synchronizedList(new ArrayList<>());
        KernelEvents reader = reader(s, (b, applied) -> {
            handed.add(b);
            toApply.add(applied); // the loop is busy: applied later
        }, () -> { });
        reader.start();
        try {
            for (int i = 0; i < KernelEvents.MAX_IN_FLIGHT; i++) {
                kernel.inject(TestFlows.tcp4(i));
                int n = i + 1;
                await().atMost(Duration.ofSeconds(5)).until(() -> handed.size() == n);
            }
            kernel.inject(TestFlows.tcp4(10));
            kernel.inject(TestFlows.tcp4(11));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> handed.size() == KernelEvents.MAX_IN_FLIGHT);

            toApply.get(0).run();
            await().atMost(Duration.ofSeconds(5)).until(() -> handed.size() == KernelEvents.MAX_IN_FLIGHT + 1);
            assertThat(handed.get(KernelEvents.MAX_IN_FLIGHT)).as("the backlog, read in one batch").hasSize(2);
        } finally {
            s.close();
            reader.stop();
        }
    }

    @Test
    void aReaderWhoseLoopHasEndedStopsWithoutAnUncaughtException() throws Exception {
        InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
        FakeNetlinkSocket s = newEventsSocket(kernel, Duration.ofMillis(50));
        AtomicInteger handedOver = new AtomicInteger();
        KernelEvents reader = reader(s, (batch, applied) -> {
            handedOver.incrementAndGet();
            throw new RejectedExecutionException("event executor terminated"); // the engine's loop, shut down
        }, () -> { });
        List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try {
            reader.start();
            kernel.inject(TestFlows.tcp4(0));
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(5)).until(() -> handedOver.get() == 1);
            kernel.inject(TestFlows.tcp4(1));
            reader.stop(); // joins the reader's thread
            assertThat(handedOver).as("the reader ended at the first refusal").hasValue(1);
            assertThat(uncaught).isEmpty();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
            s.close();
        }
    }

    @Test
    void whatIsQueuedWhenTheReaderWakesLeavesInOneBatchWithoutWaitingForMore() throws Exception {
        InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
        FakeNetlinkSocket s = kernel.openSocket();
        s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        s.setReceiveTimeout(Duration.ofSeconds(20));
        s.setBlocking(true);
        for (int i = 0; i < 5; i++) {
            kernel.inject(TestFlows.tcp4(i)); // queued before the reader starts
        }
        List<List<FlowEvent>> batches = Collections.synchronizedList(new ArrayList<>());
        KernelEvents reader = reader(s, appliedAtOnce(batches::add), () -> { });
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> !batches.isEmpty());
            // drained without a wait: one batch of all five, and the socket's poll timeout is left
            // as it is (no per-batch receive-timeout switch, which the kernel rounds up to a tick)
            assertThat(batches.get(0)).hasSize(5);
            assertThat(s.receiveTimeout()).isEqualTo(Duration.ofSeconds(20));
        } finally {
            s.close();
            reader.stop();
        }
    }

    /**
     * Events lost: the kernel drops every event behind the overrun until the queue has drained,
     * without reporting it again; the overrun goes to the engine (whose resync dumps the table)
     * only after the reader handed over what was queued and found the queue empty.
     */
    @Test
    void anOverrunIsReportedOnlyOnceTheQueuedEventsAreHandedOverAndTheQueueIsEmpty() throws Exception {
        InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();
        FakeNetlinkSocket s = newEventsSocket(kernel, Duration.ofMillis(50));
        s.setQueueLimit(4);
        for (int i = 0; i < 10; i++) {
            kernel.inject(TestFlows.tcp4(i)); // 4 queued, 6 dropped: congested
        }
        List<FlowEvent> got = Collections.synchronizedList(new ArrayList<>());
        List<Integer> handedAtReport = Collections.synchronizedList(new ArrayList<>());
        KernelEvents reader = reader(s, appliedAtOnce(got::addAll), () -> handedAtReport.add(got.size()));
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> !handedAtReport.isEmpty());
            assertThat(handedAtReport).containsExactly(4);
            kernel.inject(TestFlows.tcp4(10)); // drained: events flow again
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 5);
            assertThat(handedAtReport).as("one report").hasSize(1);
        } finally {
            s.close();
            reader.stop();
        }
    }
}
