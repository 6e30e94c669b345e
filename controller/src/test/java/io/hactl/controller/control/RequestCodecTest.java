package io.hactl.controller.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The control socket's requests are read strictly, each refusal naming the key. */
class RequestCodecTest {
    static ControlRequest decode(String json) {
        return RequestCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandTheCliSendsIsReadIntoItsRecord() {
        assertThat(decode("{\"v\":1,\"cmd\":\"ping\"}")).isEqualTo(new ControlRequest.Ping());
        assertThat(decode("{\"v\":1,\"cmd\":\"status\"}")).isEqualTo(new ControlRequest.Status());
        assertThat(decode("{\"v\":1,\"cmd\":\"stats\"}")).isEqualTo(new ControlRequest.Stats());
        assertThat(decode("{\"v\":1,\"cmd\":\"commit\"}")).isEqualTo(new ControlRequest.Commit());
        assertThat(decode("{\"v\":1,\"cmd\":\"resync\"}")).isEqualTo(new ControlRequest.Resync());
        assertThat(decode("{\"v\":1,\"cmd\":\"bulk-send\"}")).isEqualTo(new ControlRequest.BulkSend());
        assertThat(decode("{\"v\":1,\"cmd\":\"request-resync\"}")).isEqualTo(new ControlRequest.RequestResync());
        assertThat(decode("{\"v\":1,\"cmd\":\"purge\"}")).isEqualTo(new ControlRequest.Purge());
        assertThat(decode("{\"cmd\":\"flush\",\"cache\":\"external\",\"v\":1}"))
                .isEqualTo(new ControlRequest.Flush(ControlRequest.CacheName.EXTERNAL));
        assertThat(decode("{\"v\":1,\"cmd\":\"flush\"}")).isEqualTo(new ControlRequest.Flush(ControlRequest.CacheName.BOTH));
        assertThat(decode("{\"v\":1,\"cmd\":\"cache\",\"cache\":\"external\"}"))
                .isEqualTo(new ControlRequest.ListCache(ControlRequest.CacheName.EXTERNAL));
        assertThat(decode("{\"v\":1,\"cmd\":\"notify\",\"state\":\"MASTER\",\"source\":\"keepalived group G1\"}"))
                .isEqualTo(new ControlRequest.Notify("MASTER", "keepalived group G1"));
    }

    @Test
    void theLanesKeepNotifyApartFromQueriesAndQueriesApartFromOperations() {
        assertThat(decode("{\"v\":1,\"cmd\":\"notify\",\"state\":\"BACKUP\"}").lane()).isEqualTo(ControlRequest.Lane.NOTIFY);
        assertThat(decode("{\"v\":1,\"cmd\":\"status\"}").lane()).isEqualTo(ControlRequest.Lane.QUERY);
        assertThat(decode("{\"v\":1,\"cmd\":\"ping\"}").lane()).isEqualTo(ControlRequest.Lane.QUERY);
        assertThat(decode("{\"v\":1,\"cmd\":\"commit\"}").lane()).isEqualTo(ControlRequest.Lane.OPERATION);
        assertThat(decode("{\"v\":1,\"cmd\":\"cache\"}").lane()).isEqualTo(ControlRequest.Lane.OPERATION);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"v\":1,\"cmd\":\"flush\",\"which\":\"everything\"}|key 'which' is not known for command 'flush' (known: cache)",
        "{\"v\":1,\"cmd\":\"status\",\"verbose\":true}|key 'verbose' is not known for command 'status' (it takes no keys)",
        "{\"v\":\"1\",\"cmd\":\"status\"}|key 'v': control protocol version \"1\" is not supported",
        "{\"v\":1.0,\"cmd\":\"status\"}|key 'v': control protocol version 1.0 is not supported",
        "{\"v\":2,\"cmd\":\"status\"}|key 'v': control protocol version 2 is not supported",
        "{\"cmd\":\"status\"}|key 'v' (the control protocol version) is missing",
        "{\"v\":1}|key 'cmd' is missing",
        "{\"v\":1,\"cmd\":7}|key 'cmd' must be a string, not 7",
        "{\"v\":1,\"cmd\":\"explode\"}|key 'cmd': unknown command 'explode'",
        "{\"v\":1,\"cmd\":\"flush\",\"cache\":\"everything\"}|key 'cache'",
        "{\"v\":1,\"cmd\":\"flush\",\"cache\":1}|key 'cache'",
        "{\"v\":1,\"cmd\":\"cache\",\"cache\":\"both\"}|key 'cache' must be internal or external, not both",
        "{\"v\":1,\"cmd\":\"notify\",\"state\":1}|key 'state'",
        "{\"v\":1,\"cmd\":\"notify\",\"state\":true}|key 'state'",
        "{\"v\":1,\"cmd\":\"notify\"}|'state'",
        "{\"v\":1,\"cmd\":\"notify\",\"state\":\"MASTER\",\"source\":[]}|key 'source'",
        "[1,2]|request must be a JSON object",
        "{\"v\":1,\"cmd\":\"status\"} {}|request is not JSON",
        "{\"v\":1,\"cmd\":\"status\",\"cmd\":\"commit\"}|request is not JSON",
        "not json|request is not JSON",
    })
    void aRequestWithAnUnknownKeyOrAWrongTypeIsRefusedNamingIt(String json, String message) {
        assertThatThrownBy(() -> decode(json)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
