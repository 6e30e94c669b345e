package io.hactl.lab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Nearest-rank percentiles of the churn bench's lag samples. */
class PercentilesTest {
    @Test
    void nearestRankOfAnUnsortedSample() {
        long[] v = new long[100];
        for (int i = 0; i < v.length; i++) {
            v[i] = 100 - i; // 100 .. 1
        }
        Percentiles p = new Percentiles(v);
        assertThat(p.at(50)).isEqualTo(50);
        assertThat(p.at(99)).isEqualTo(99);
        assertThat(p.at(100)).isEqualTo(100);
        assertThat(p.max()).isEqualTo(100);
        assertThat(p.count()).isEqualTo(100);
    }

    @Test
    void smallSamplesRoundTheRankUp() {
        Percentiles p = new Percentiles(new long[] {30, 10, 20});
        assertThat(p.at(50)).isEqualTo(20);
        assertThat(p.at(99)).isEqualTo(30);
        assertThat(p.at(1)).isEqualTo(10);
    }

    @Test
    void anEmptySampleSaysSoAndBadPercentilesAreRefused() {
        assertThat(new Percentiles(new long[0]).at(99)).isEqualTo(-1);
        assertThat(new Percentiles(new long[0]).max()).isEqualTo(-1);
        assertThatThrownBy(() -> new Percentiles(new long[] {1}).at(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Percentiles(new long[] {1}).at(101)).isInstanceOf(IllegalArgumentException.class);
    }
}
