package io.hactl.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientOptionsTest {
    @TempDir
    Path dir;

    private ClientOptions options(String configText) throws Exception {
        ClientOptions o = new ClientOptions();
        o.config = dir.resolve("hactl.yaml");
        if (configText != null) {
            Files.writeString(o.config, configText);
        }
        return o;
    }

    @Test
    void theSocketGivenWinsOverTheConfiguration() throws Exception {
        ClientOptions o = options("control: { socket: /run/other/hactl.sock }\n");
        o.socket = dir.resolve("given.sock");
        assertThat(o.socket()).isEqualTo(dir.resolve("given.sock"));
    }

    @Test
    void theConfigurationsSocketIsUsedInBlockAndFlowStyle() throws Exception {
        String sync = """
                node: { name: fw1 }
                sync: { local: 127.0.0.1, peer: 127.0.0.2, interface: lo, key-file: /etc/hactl/sync.key }
                role: { source: keepalived }
                """;
        assertThat(options(sync + "control:\n  socket: /run/a/hactl.sock\n").socket()).isEqualTo(Path.of("/run/a/hactl.sock"));
        assertThat(options(sync + "control: { socket: /run/b/hactl.sock }\n").socket()).isEqualTo(Path.of("/run/b/hactl.sock"));
    }

    @Test
    void aConfigurationWithoutSocketOrNoneAtAllMeansTheDefault() throws Exception {
        assertThat(options("node: { name: fw1 }\n#control:\n#  socket: /run/x/hactl.sock\n").socket())
                .isEqualTo(ConfigLoader.DEFAULT_SOCKET);
        assertThat(options(null).socket()).isEqualTo(ConfigLoader.DEFAULT_SOCKET);
        assertThat(options("control: { socket: [unclosed\n").socket()).isEqualTo(ConfigLoader.DEFAULT_SOCKET);
    }

    @Test
    void onlyControlSocketIsReadAndOnlyAnAbsolutePathCounts() throws Exception {
        // the rest of the file is not checked here: `hactl config check` does that
        assertThat(options("control: { socket: /run/c/hactl.sock }\nsync: [not, a, mapping]\n").socket())
                .isEqualTo(Path.of("/run/c/hactl.sock"));
        assertThat(options("metrics: { socket: /run/m.sock }\n").socket()).isEqualTo(ConfigLoader.DEFAULT_SOCKET);
        assertThat(options("control: { socket: run/hactl.sock }\n").socket()).isEqualTo(ConfigLoader.DEFAULT_SOCKET);
        assertThat(options("control: { socket: [/run/a.sock] }\n").socket()).isEqualTo(ConfigLoader.DEFAULT_SOCKET);
    }
}
