package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CompilerQuietTest {
    final AtomicLong nanos = new AtomicLong();
    final AtomicLong compile = new AtomicLong();

    /** Each poll's sleep advances the clock, and the compilers by what {@code perPoll} says. */
    CompilerQuiet.Sleeper compilers(long... perPoll) {
        int[] i = {0};
        return d -> {
            nanos.addAndGet(d.toNanos());
            compile.addAndGet(i[0] < perPoll.length ? perPoll[i[0]++] : perPoll[perPoll.length - 1]);
        };
    }

    @Test
    void returnsAtTheFirstPollWithLittleCompiling() throws Exception {
        var r = CompilerQuiet.await(compile::get, nanos::get, compilers(240, 180, 90, 10), Duration.ofSeconds(10));
        assertThat(r.quiet()).isTrue();
        assertThat(r.waitedMillis()).isEqualTo(4 * CompilerQuiet.POLL.toMillis());
        assertThat(r.compileMillis()).isEqualTo(520);
    }

    @Test
    void givesUpAtTheLimitWhileTheCompilersStayBusy() throws Exception {
        var r = CompilerQuiet.await(compile::get, nanos::get, compilers(200), Duration.ofSeconds(2));
        assertThat(r.quiet()).isFalse();
        assertThat(r.waitedMillis()).isEqualTo(2000);
        assertThat(r.compileMillis()).isEqualTo(8 * 200);
    }

    @Test
    void inThisJvmItEndsWithinTheLimit() {
        var r = CompilerQuiet.await(Duration.ofSeconds(3));
        assertThat(r.waitedMillis()).isLessThan(3000 + 2 * CompilerQuiet.POLL.toMillis());
    }
}
