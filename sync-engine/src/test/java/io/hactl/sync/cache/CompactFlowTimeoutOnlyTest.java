package io.hactl.sync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.wire.CompactFlow;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Telling a flow whose time only ran on from a changed one, on the encodings, for every shape. */
class CompactFlowTimeoutOnlyTest {
    static List<Flow> flows() {
        List<Flow> all = new java.util.ArrayList<>(TestFlows.sample(20, 3000, 17));
        all.add(TestFlows.everything()); // explicit reply tuple, NAT, helper, labels: the timeout sits further on
        return all;
    }

    @Test
    void onlyAChangedTimeoutIsTimeoutOnly() {
        int checked = 0;
        for (Flow f : flows()) {
            byte[] enc = CompactFlow.encode(f);
            if (f.timeout() == Flow.ABSENT) {
                assertThat(CompactFlow.sameButTimeout(enc, enc)).as("no timeout: %s", f).isFalse();
                continue;
            }
            checked++;
            long t = f.timeout();
            byte[] ranOn = CompactFlow.encode(f.toBuilder().timeout(t > 7 ? t - 7 : t + 7).build());
            assertThat(CompactFlow.sameButTimeout(enc, ranOn)).as("%s", f).isTrue();
            assertThat(CompactFlow.sameButTimeout(enc, enc)).isTrue();
            long mark = f.mark() == Flow.ABSENT ? 1 : f.mark() ^ 1;
            assertThat(CompactFlow.sameButTimeout(enc, CompactFlow.encode(f.toBuilder().mark(mark).build())))
                    .as("mark changed: %s", f).isFalse();
            assertThat(CompactFlow.sameButTimeout(enc, CompactFlow.encode(f.toBuilder().status(f.status() ^ 4).build())))
                    .as("status changed: %s", f).isFalse();
            assertThat(CompactFlow.sameButTimeout(enc, CompactFlow.encode(f.toBuilder().timeout(Flow.ABSENT).build())))
                    .as("timeout gone: %s", f).isFalse();
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void twoDifferentFlowsOfTheSameLengthAreNot() {
        List<Flow> all = flows();
        for (int i = 1; i < all.size(); i++) {
            byte[] a = CompactFlow.encode(all.get(i - 1));
            byte[] b = CompactFlow.encode(all.get(i));
            if (!all.get(i - 1).toBuilder().timeout(all.get(i).timeout()).build().equals(all.get(i))) {
                assertThat(CompactFlow.sameButTimeout(a, b)).as("%s / %s", all.get(i - 1), all.get(i)).isFalse();
            }
        }
    }
}
