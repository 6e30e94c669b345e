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
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class KernelEventsTest {
    private final InMemoryConntrackKernel kernel = new InMemoryConntrackKernel();

    /** An event socket on the kernel, joined to the NEW group. */
    private FakeNetlinkSocket newEventsSocket() throws Exception {
        FakeNetlinkSocket s = kernel.openSocket();
        s.joinGroup(Ctnl.NFNLGRP_CONNTRACK_NEW);
        return s;
    }

    /** A reader of {@code s} (1 MiB event buffer at most) applying its batches to {@code applied}, its losses to {@code lost}. */
    private static KernelEvents reader(FakeNetlinkSocket s, Consumer<List<FlowEvent>> applied, Runnable lost) {
        return new KernelEvents("t", new ConntrackEvents(s, new DecodeStats()), 1 << 20, new KernelEvents.Sink() {
            @Override
            public void apply(List<FlowEvent> batch) {
                applied.accept(List.copyOf(batch));
            }

            @Override
            public void lost() {
                lost.run();
            }
        }, System::nanoTime);
    }

    @Test
    void onePassAppliesWhatIsQueuedInOneBatchWithoutWaitingForMore() throws Exception {
        FakeNetlinkSocket s = newEventsSocket();
        for (int i = 0; i < 5; i++) {
            kernel.inject(TestFlows.tcp4(i));
        }
        List<List<FlowEvent>> batches = new ArrayList<>();
        KernelEvents reader = reader(s, batches::add, () -> { });

        reader.read();
        reader.read(); // nothing queued: no batch at all

        assertThat(batches).hasSize(1);
        assertThat(batches.get(0)).hasSize(5).extracting(FlowEvent::type).containsOnly(FlowEvent.Type.NEW);
    }

    /**
     * A burst beyond one pass: the rest waits in the socket, where the kernel holds it as bytes,
     * and the next pass (the loop's next turn, the socket still readable) takes it.
     */
    @Test
    void aBurstBeyondOnePassWaitsInTheSocketForTheNext() throws Exception {
        FakeNetlinkSocket s = newEventsSocket();
        ConntrackEvents.sizeReceiveBuffer(s, 4 << 20); // room for the whole burst
        int burst = KernelEvents.MAX_BATCH + 100;
        for (int i = 0; i < burst; i++) {
            kernel.inject(TestFlows.tcp4(i));
        }
        List<List<FlowEvent>> batches = new ArrayList<>();
        KernelEvents reader = reader(s, batches::add, () -> { });

        reader.read();
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0)).hasSizeBetween(KernelEvents.MAX_BATCH,
                KernelEvents.MAX_BATCH + ConntrackEvents.DATAGRAMS_PER_RECEIVE - 1);
        assertThat(s.queued()).isEqualTo(burst - batches.get(0).size());

        reader.read();
        assertThat(batches).hasSize(2);
        assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(burst);
        assertThat(s.queued()).isZero();
    }

    /**
     * Events lost: the kernel drops every event behind the overrun until the queue has drained,
     * without reporting it again; the loss goes to the engine (whose resync dumps the table) only
     * after what was queued has been applied and the queue was found empty.
     */
    @Test
    void anOverrunIsReportedOnlyOnceTheQueuedEventsAreAppliedAndTheQueueIsEmpty() throws Exception {
        FakeNetlinkSocket s = newEventsSocket();
        s.setQueueLimit(4);
        for (int i = 0; i < 10; i++) {
            kernel.inject(TestFlows.tcp4(i)); // 4 queued, 6 dropped: congested
        }
        List<FlowEvent> got = new ArrayList<>();
        List<Integer> appliedAtReport = new ArrayList<>();
        KernelEvents reader = reader(s, got::addAll, () -> appliedAtReport.add(got.size()));

        reader.read();
        assertThat(appliedAtReport).containsExactly(4);

        kernel.inject(TestFlows.tcp4(10)); // drained: events flow again
        reader.read();
        assertThat(got).hasSize(5);
        assertThat(appliedAtReport).as("one report").hasSize(1);
    }

    /**
     * On the engine's loop: events queued from another thread are read and applied on the loop
     * as soon as the socket is readable, also when they come one by one, with no call from
     * outside; a sink that throws loses its batch, not the reader; after {@link KernelEvents#stop}
     * nothing more is read and the socket is closed.
     */
    @Test
    void onTheLoopEventsAreAppliedWhenTheSocketIsReadableUntilStopped() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            IoEventLoop loop = (IoEventLoop) group.next();
            FakeNetlinkSocket s = newEventsSocket();
            List<FlowEvent> got = Collections.synchronizedList(new ArrayList<>());
            List<Boolean> onLoop = Collections.synchronizedList(new ArrayList<>());
            KernelEvents reader = reader(s, batch -> {
                onLoop.add(loop.inEventLoop());
                if (batch.stream().anyMatch(e -> e.flow().orig().equals(TestFlows.tcp4(99).orig()))) {
                    throw new IllegalStateException("the engine failed on this batch");
                }
                got.addAll(batch);
            }, () -> { });
            reader.register(loop, new FatalErrors("t", EngineListener.NONE));

            kernel.inject(TestFlows.tcp4(0));
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
            kernel.inject(TestFlows.tcp4(99)); // its batch fails
            await().atMost(Duration.ofSeconds(5)).until(() -> onLoop.size() == 2);
            for (int i = 1; i <= 3; i++) {
                kernel.inject(TestFlows.tcp4(i));
                int n = i + 1;
                await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == n);
            }
            assertThat(onLoop).containsOnly(true);

            reader.stop();
            assertThat(s.isClosed()).isTrue();
            int applied = got.size();
            kernel.inject(TestFlows.tcp4(4));
            // the loop still runs: a task queued behind any pass the injection could have caused
            loop.submit(() -> { }).await(5, TimeUnit.SECONDS);
            assertThat(got).hasSize(applied);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
