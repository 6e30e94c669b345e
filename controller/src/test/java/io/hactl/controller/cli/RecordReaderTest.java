package io.hactl.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.StatusReportTest;
import org.junit.jupiter.api.Test;

/** The streaming reader binds the status schema as the object mapper does. */
class RecordReaderTest {
    private static StatusReport read(String json) throws Exception {
        try (JsonParser p = Render.JSON_FACTORY.createParser(json)) {
            p.nextToken();
            return RecordReader.record(p, StatusReport.class);
        }
    }

    private static StatusReport bound(String json) throws Exception {
        return StatusReport.of(ControlProtocol.JSON.readTree(json), ControlProtocol.JSON);
    }

    @Test
    void whatTheDaemonWritesReadsBackAsTheSameReport() throws Exception {
        StatusReport full = StatusReportTest.full();
        assertThat(read(ControlProtocol.JSON.writeValueAsString(full))).isEqualTo(full);
    }

    @Test
    void missingNullAndUnknownKeysReadAsTheMapperReadsThem() throws Exception {
        for (String json : new String[] {"{}", "{\"node\": \"fw1\", \"fromANewerDaemon\": {\"x\": [1, {\"y\": 2}]}, \"peer\": {\"alive\": true, \"new\": 2}}",
                "{\"verdict\": null, \"uptimeSeconds\": null, \"demoted\": null, \"drops\": {\"bad_mac\": 3, \"x\": null},"
                        + " \"lastCommit\": {\"flows\": 3, \"failures\": null}, \"lastTransition\": {\"steps\": null}}",
                "{\"verdict\": {\"ok\": true, \"reasons\": [\"a\", \"b\"]}, \"node\": 12}"}) {
            assertThat(read(json)).as(json).isEqualTo(bound(json));
        }
    }

    @Test
    void aValueOfTheWrongTypeIsAClearErrorNamingTheKey() {
        assertThatThrownBy(() -> read("{\"uptimeSeconds\": \"soon\"}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'uptimeSeconds' is not an integer");
        assertThatThrownBy(() -> read("{\"peer\": [1]}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'peer' is not an object");
        assertThatThrownBy(() -> read("{\"verdict\": {\"reasons\": \"one\"}}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'reasons' is not a list");
    }
}
