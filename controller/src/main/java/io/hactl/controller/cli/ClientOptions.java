package io.hactl.controller.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hactl.controller.control.ControlClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every client command takes: where the configuration or the control socket is. */
public final class ClientOptions {
    static final String DEFAULT_CONFIG = "/etc/hactl/hactl.yaml";

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: ${DEFAULT-VALUE}).",
            defaultValue = DEFAULT_CONFIG)
    Path config;

    @Option(names = "--socket", paramLabel = "PATH", description = "Control socket (default: control.socket of the configuration, else /run/hactl/hactl.sock).")
    Path socket;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest wait for the daemon's answer (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int timeoutSeconds;

    /** The socket to talk to: --socket, else the configuration's, else the default. */
    Path socket() {
        return socket != null ? socket : configuredSocket(config);
    }

    /**
     * {@code control.socket} of the configuration file, else the default: a file that cannot be
     * read or does not set it means the default, the daemon may still be reachable there. Read with
     * the streaming YAML parser, without binding or checking the rest of the file, which costs a
     * short command more than its work; a file that does not spell "socket" outside comments is
     * not parsed at all.
     */
    static Path configuredSocket(Path config) {
        String text;
        try {
            text = Files.readString(config);
        } catch (IOException | RuntimeException e) {
            return ControlClient.DEFAULT_SOCKET;
        }
        if (!mentionsSocket(text)) {
            return ControlClient.DEFAULT_SOCKET;
        }
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return ControlClient.DEFAULT_SOCKET;
            }
            Path found = ControlClient.DEFAULT_SOCKET;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean control = "control".equals(p.currentName());
                if (p.nextToken() == JsonToken.START_OBJECT && control) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        boolean isSocket = "socket".equals(p.currentName());
                        if (p.nextToken() == JsonToken.VALUE_STRING && isSocket) {
                            found = absolute(p.getText());
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            return found;
        } catch (IOException | RuntimeException e) {
            // not YAML the daemon would start with: the default then
            return ControlClient.DEFAULT_SOCKET;
        }
    }

    /** Whether a line that is not a comment spells "socket". */
    private static boolean mentionsSocket(String text) {
        for (String line : text.split("\n")) {
            if (!line.strip().startsWith("#") && line.contains("socket")) {
                return true;
            }
        }
        return false;
    }

    /** The daemon takes only an absolute control.socket. */
    private static Path absolute(String value) {
        Path p = Path.of(value);
        return p.isAbsolute() ? p : ControlClient.DEFAULT_SOCKET;
    }
}
