package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.cache.FlowStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** An Error on the engine's threads reaches the listener once; exceptions do not. */
class FatalErrorsTest {
    private final List<String> heard = new ArrayList<>();
    private final FatalErrors fatal = new FatalErrors("gw1", new EngineListener() {
        @Override
        public void onFatalError(String where, Error error) {
            heard.add(where + ": " + error.getClass().getSimpleName());
        }
    });

    @Test
    void anErrorInAGuardedTaskIsReportedOnceAndStillThrown() {
        Executor direct = fatal.guard("kernel worker", Runnable::run);
        assertThatThrownBy(() -> direct.execute(() -> {
            throw new OutOfMemoryError("Java heap space");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(() -> direct.execute(() -> {
            throw new StackOverflowError();
        })).isInstanceOf(StackOverflowError.class);
        assertThat(heard).containsExactly("kernel worker: OutOfMemoryError");
    }

    @Test
    void anExceptionIsNotFatal() {
        Executor direct = fatal.guard("event loop", Runnable::run);
        assertThatThrownBy(() -> direct.execute(() -> {
            throw new IllegalStateException("a failed operation");
        })).isInstanceOf(IllegalStateException.class);
        fatal.watch("commit", CompletableFuture.failedFuture(new IllegalStateException("EBUSY")));
        assertThat(heard).isEmpty();
        assertThat(fatal.reported()).isFalse();
    }

    @Test
    void aTaskThatFindsTheOtherThreadGoneFailsUntilTheEngineStopsThenEndsQuietly() {
        Executor worker = fatal.guard("kernel worker", Runnable::run);
        Runnable handsBackToTheLoop = () -> {
            throw new RejectedExecutionException("event executor terminated");
        };
        assertThatThrownBy(() -> worker.execute(handsBackToTheLoop)).isInstanceOf(RejectedExecutionException.class);
        fatal.stopping();
        worker.execute(handsBackToTheLoop);
        assertThatThrownBy(() -> worker.execute(() -> {
            throw new IllegalStateException("a failed operation");
        })).as("other exceptions still fail the task").isInstanceOf(IllegalStateException.class);
        assertThat(heard).isEmpty();
    }

    @Test
    void aFutureThatFailedWithAWrappedErrorIsReported() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        fatal.watch("resync from the kernel", f);
        f.completeExceptionally(new CompletionException(new OutOfMemoryError("Java heap space")));
        assertThat(heard).containsExactly("resync from the kernel: OutOfMemoryError");
    }

    @Test
    void anErrorInALoopTaskFailsItsFutureAndIsReported() throws Exception {
        EngineConfig cfg = EngineParts.config();
        EngineContext ctx = new EngineContext(cfg, new FlowStore("internal", 16), new FlowStore("external", 16),
                new EngineCounters(), Runnable::run, Runnable::run, () -> 0L, Standing.UNKNOWN, () -> { }, fatal);
        CompletableFuture<Integer> f = ctx.onLoop(() -> {
            throw new OutOfMemoryError("Java heap space");
        });
        assertThat(f).isCompletedExceptionally();
        assertThat(heard).containsExactly("event loop: OutOfMemoryError");
    }

    @Test
    void aQuestionToTheLoopIsAnsweredWithoutTheAfterTaskHookAndItsErrorsAreReported() {
        EngineConfig cfg = EngineParts.config();
        List<String> hooks = new ArrayList<>();
        EngineContext ctx = new EngineContext(cfg, new FlowStore("internal", 16), new FlowStore("external", 16),
                new EngineCounters(), Runnable::run, Runnable::run, () -> 0L, Standing.UNKNOWN,
                () -> hooks.add("status"), fatal);

        assertThat(ctx.askLoop(() -> 42)).isCompletedWithValue(42);
        assertThat(ctx.onLoop(() -> 43)).isCompletedWithValue(43);
        assertThat(hooks).containsExactly("status"); // from onLoop alone

        assertThat(ctx.askLoop(() -> {
            throw new OutOfMemoryError("Java heap space");
        })).isCompletedExceptionally();
        assertThat(heard).containsExactly("event loop: OutOfMemoryError");
    }
}
