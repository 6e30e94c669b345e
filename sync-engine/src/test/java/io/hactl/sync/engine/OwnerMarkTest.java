package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.conntrack.Flow;
import org.junit.jupiter.api.Test;

class OwnerMarkTest {
    final OwnerMark m = new OwnerMark(0x4000_0000L, 0x6000_0000L);

    @Test
    void writtenFlowsKeepTheFirewallsBitsAndCarryOurs() {
        assertThat(m.apply(0x0000_00ffL)).isEqualTo(0x4000_00ffL);
        assertThat(m.apply(0x2000_0001L)).as("our mask's bits are ours to set").isEqualTo(0x4000_0001L);
        assertThat(m.apply(Flow.ABSENT)).isEqualTo(0x4000_0000L);
    }

    @Test
    void onlyTheValueUnderTheMaskMarks() {
        assertThat(m.marks(0x4000_0007L)).isTrue();
        assertThat(m.marks(0x6000_0000L)).isFalse();
        assertThat(m.marks(0x0000_0001L)).isFalse();
        assertThat(m.marks(Flow.ABSENT)).isFalse();
    }

    @Test
    void strippingLeavesTheFirewallsBits() {
        assertThat(m.strip(0x4000_0102L)).isEqualTo(0x102L);
        assertThat(m.strip(Flow.ABSENT)).isEqualTo(Flow.ABSENT);
    }

    @Test
    void invalidBitsAreRefusedWithTheirValues() {
        assertThatThrownBy(() -> new OwnerMark(0, 0x1)).hasMessageContaining("0 cannot tell");
        assertThatThrownBy(() -> new OwnerMark(0x3, 0x1)).hasMessageContaining("0x3 has bits outside its mask 0x1");
        assertThatThrownBy(() -> new OwnerMark(0x1, 0)).hasMessageContaining("1 to 32 bits");
        assertThatThrownBy(() -> new OwnerMark(0x1, 0x1_0000_0000L)).hasMessageContaining("1 to 32 bits");
    }
}
