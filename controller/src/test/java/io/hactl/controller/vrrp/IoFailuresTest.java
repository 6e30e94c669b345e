package io.hactl.controller.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class IoFailuresTest {
    long now = -5 * ManualLoop.SECOND;
    final IoFailures failures = new IoFailures("fw1", () -> now);

    @Test
    void everyFailureIsCountedAlsoWhenItsLogLineIsHeldBack() {
        for (int i = 0; i < 50; i++) {
            failures.failed("LAN: sending priority 200", new IOException("Network is unreachable"), null);
            now += ManualLoop.MILLI;
        }
        assertThat(failures.count()).isEqualTo(50);
    }

    @Test
    void theStepTextNamesTheCallAndItsErrorAndJoinsTheFailuresOfOneStep() {
        String first = failures.failed("LAN: adding [10.10.0.1/24]", new IOException("Operation not permitted"), null);
        String both = failures.failed("WAN: adding [10.20.0.1/24]", new IOException("No such device"), first);

        assertThat(first).isEqualTo("LAN: adding [10.10.0.1/24]: Operation not permitted");
        assertThat(both).isEqualTo("LAN: adding [10.10.0.1/24]: Operation not permitted;"
                + " WAN: adding [10.20.0.1/24]: No such device");
        assertThat(failures.count()).isEqualTo(2);
    }
}
