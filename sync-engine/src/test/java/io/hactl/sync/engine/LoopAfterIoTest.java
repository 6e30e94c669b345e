package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The engine's long walks go on in slices through {@link EngineWiring#afterIo}: a slice queued
 * that way waits for the loop's next pass, so that what other threads queued meanwhile (kernel
 * events, operations) and the loop's own I/O and timers run first, where a slice executed
 * straight away would run ahead of them all, slice after slice.
 */
class LoopAfterIoTest {
    @Test
    void aSliceQueuedAfterIoLetsTheTasksQueuedMeanwhileRunFirst() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            EventLoop loop = group.next();
            Executor afterIo = EngineWiring.afterIo(loop);
            List<String> ran = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.execute(() -> {
                afterIo.execute(() -> {
                    ran.add("next slice");
                    done.complete(null);
                });
                loop.execute(() -> ran.add("queued behind it"));
                ran.add("slice");
            });
            done.get(10, TimeUnit.SECONDS);
            assertThat(ran).containsExactly("slice", "queued behind it", "next slice");

            ran.clear();
            CompletableFuture<Void> straight = new CompletableFuture<>();
            loop.execute(() -> {
                loop.execute(() -> {
                    ran.add("next slice");
                    straight.complete(null);
                });
                ran.add("slice");
            });
            straight.get(10, TimeUnit.SECONDS);
            assertThat(ran).containsExactly("slice", "next slice");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
