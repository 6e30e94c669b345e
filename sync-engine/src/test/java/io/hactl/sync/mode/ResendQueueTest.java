package io.hactl.sync.mode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResendQueueTest {

    @Test
    void entriesComeOutOldestFirstWithTheirItemAndTime() {
        ResendQueue q = new ResendQueue();
        q.add(7, "a", 100);
        q.add(8, "b", 200);
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.oldestAt()).isEqualTo(100);
        assertThat(q.seq(0)).isEqualTo(7);
        assertThat(q.item(1)).isEqualTo("b");
        assertThat(q.remove(0)).isEqualTo("a");
        q.trim();
        assertThat(q.oldestAt()).isEqualTo(200);
        assertThat(held(q)).containsExactly(8);
    }

    @Test
    void aHoleInTheMiddleStaysUntilTheHeadReachesIt() {
        ResendQueue q = new ResendQueue();
        for (int s = 1; s <= 5; s++) {
            q.add(s, "m" + s, s * 10L);
        }
        q.remove(2); // seq 3, as a NACK of 3..3 would
        q.trim();
        assertThat(q.span()).isEqualTo(5);
        assertThat(q.removed(2)).isTrue();
        assertThat(held(q)).containsExactly(1, 2, 4, 5);
        q.remove(0);
        q.remove(1);
        q.trim(); // 1, 2 and the hole of 3 go: 4 is the oldest
        assertThat(q.span()).isEqualTo(2);
        assertThat(q.seq(0)).isEqualTo(4);
        assertThat(q.oldestAt()).isEqualTo(40);
        assertThat(q.size()).isEqualTo(2);
    }

    @Test
    void wrapsAroundAndGrowsWithoutLosingOrderOrKeepingHoles() {
        ResendQueue q = new ResendQueue();
        int next = 0;
        int oldest = 0;
        // wrap the ring a few times at a depth of 1,000, then fill it past its first size with holes in it
        for (int round = 0; round < 5_000; round++) {
            q.add(next, "m" + next, next);
            next++;
            if (q.size() > 1_000) {
                q.remove(0);
                q.trim();
                oldest++;
            }
        }
        assertThat(q.seq(0)).isEqualTo(oldest);
        for (int k = 0; k < 3_000; k++) {
            q.add(next, "m" + next, next);
            next++;
        }
        q.remove(10);
        q.remove(11);
        for (int k = 0; k < 10_000; k++) {
            q.add(next, "m" + next, next);
            next++;
        }
        int[] held = held(q);
        assertThat(held).hasSize(q.size()).hasSize(4_000 + 10_000 - 2);
        for (int k = 1; k < held.length; k++) {
            assertThat(held[k]).isGreaterThan(held[k - 1]);
        }
        assertThat(held).doesNotContain(oldest + 10, oldest + 11);
        assertThat(q.span()).isEqualTo(held.length); // growing left the holes out
    }

    @Test
    void clearEmptiesItAndGivesBackWhatABulkMadeItGrowTo() {
        ResendQueue q = new ResendQueue();
        for (int s = 0; s < 100_000; s++) {
            q.add(s, "m", s);
        }
        q.clear();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.span()).isZero();
        assertThat(q.oldestAt()).isEqualTo(-1);
        assertThat(q.toString()).contains("of 1024");
        q.add(1, "x", 5);
        assertThat(held(q)).containsExactly(1);
    }

    @Test
    void removingTwiceOrHoldingNoItemIsABug() {
        ResendQueue q = new ResendQueue();
        q.add(1, "a", 0);
        q.remove(0);
        assertThatThrownBy(() -> q.remove(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> q.add(2, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The sequence numbers a queue holds, oldest first, holes left out. */
    private static int[] held(ResendQueue q) {
        int[] out = new int[q.size()];
        int k = 0;
        for (int p = 0; p < q.span(); p++) {
            if (!q.removed(p)) {
                out[k++] = q.seq(p);
            }
        }
        return out;
    }
}
