package io.hactl.controller.cli;

import io.hactl.controller.config.ConfigException;
import io.hactl.controller.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every client command takes: where the configuration or the control socket is. */
public final class ClientOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: ${DEFAULT-VALUE}).",
            defaultValue = "/etc/hactl/hactl.yaml")
    Path config;

    @Option(names = "--socket", paramLabel = "PATH", description = "Control socket (default: control.socket of the configuration, else /run/hactl/hactl.sock).")
    Path socket;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest wait for the daemon's answer (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int timeoutSeconds;

    /**
     * The socket to talk to: --socket, else the configuration's, else the default. A file that
     * does not spell "socket" outside comments cannot set one: the default then, without loading
     * the YAML parser, which is most of a short command's start.
     */
    Path socket() {
        if (socket != null) {
            return socket;
        }
        String text;
        try {
            text = Files.readString(config);
        } catch (IOException e) {
            return ConfigLoader.DEFAULT_SOCKET;
        }
        if (text.lines().map(String::strip).noneMatch(l -> !l.startsWith("#") && l.contains("socket"))) {
            return ConfigLoader.DEFAULT_SOCKET;
        }
        try {
            return ConfigLoader.load(config).controlSocket();
        } catch (ConfigException e) {
            // the daemon may still be reachable on the default socket
            return ConfigLoader.DEFAULT_SOCKET;
        }
    }
}
