package io.hactl.controller.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.hactl.controller.control.ControlClient;
import io.hactl.controller.control.ControlException;
import io.hactl.controller.control.StatusReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code hactl version}, {@code hactl status} and {@code hactl stats}, the commands monitoring runs
 * every few seconds, without picocli and without an object mapper: building picocli's model of a
 * command (by reflection over its annotations) and an object mapper costs several times the rest
 * of such a command. Only a command line made of options these
 * commands know, each given once with a plain value, is run here; anything else (--help, a typo,
 * a value picocli would refuse) is left to the picocli tree, which prints the usage and exit code
 * it always did. Output and exit codes are those of {@link StatusCommand}, {@link StatsCommand} and
 * {@link VersionCommand}.
 */
final class LeanCli {
    /** Not a command line run here: picocli runs it. */
    static final int NOT_MINE = -1;

    private static final byte[] STATUS_REQUEST = "{\"cmd\":\"status\",\"v\":1}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATS_REQUEST = "{\"cmd\":\"stats\",\"v\":1}".getBytes(StandardCharsets.US_ASCII);

    private LeanCli() {}

    /** Runs {@code args} and returns the exit code, or {@link #NOT_MINE}. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 1 && args[0].equals("version")) {
            out.println(VersionCommand.line());
            return ExitCodes.OK;
        }
        if (args.length == 0 || !args[0].equals("status") && !args[0].equals("stats")) {
            return NOT_MINE;
        }
        Options o = Options.parse(args);
        if (o == null) {
            return NOT_MINE;
        }
        Path socket = o.socket != null ? o.socket : ClientOptions.configuredSocket(o.config);
        Duration timeout = Duration.ofSeconds(o.timeoutSeconds);
        return args[0].equals("status") ? status(socket, timeout, o.json, out, err) : stats(socket, timeout, o.json, out, err);
    }

    /** As {@link StatsCommand}: every counter, one per line, or the JSON. */
    static int stats(Path socket, Duration timeout, boolean json, PrintWriter out, PrintWriter err) {
        try {
            byte[] answer = new ControlClient(socket).exchange(STATS_REQUEST, timeout);
            try {
                Map<String, Long> counters = result(answer, LeanCli::counters);
                if (json) {
                    out.println(prettyResult(answer));
                } else {
                    counters.forEach((name, n) -> out.printf("%-32s %d%n", name, n));
                }
                return ExitCodes.OK;
            } catch (IllegalArgumentException e) {
                err.println("hactl: the daemon's stats do not read: " + e.getMessage());
                return ExitCodes.FAILED;
            }
        } catch (ControlException e) {
            err.println("hactl: " + e.getMessage());
            return e.unreachable() ? ExitCodes.UNREACHABLE : ExitCodes.FAILED;
        }
    }

    /** As {@link StatusCommand}: the screen or the JSON, exit 0 or 1 by the verdict, 3 when unreachable. */
    static int status(Path socket, Duration timeout, boolean json, PrintWriter out, PrintWriter err) {
        try {
            byte[] answer = new ControlClient(socket).exchange(STATUS_REQUEST, timeout);
            StatusReport s;
            String pretty = null;
            try {
                s = result(answer, p -> RecordReader.record(p, StatusReport.class));
                if (json) {
                    pretty = prettyResult(answer);
                }
            } catch (IllegalArgumentException e) {
                err.println("hactl: the daemon's status does not read: " + e.getMessage());
                return ExitCodes.FAILED;
            }
            if (pretty != null) {
                out.println(pretty);
                return StatusCommand.exitCode(s);
            }
            return StatusCommand.print(s, out);
        } catch (ControlException e) {
            err.println("hactl: " + e.getMessage());
            return e.unreachable() ? ExitCodes.UNREACHABLE : ExitCodes.FAILED;
        }
    }

    /**
     * The {@code result} of the daemon's answer {@code {"v":1,"ok":true,"result":...}}, bound to
     * {@code reader}; {@code "ok":false} is the daemon's refusal with its {@code error}.
     */
    static <R> R result(byte[] answer, ResultReader<R> reader) throws ControlException {
        try (JsonParser p = Render.JSON_FACTORY.createParser(answer)) {
            boolean ok = false;
            String error = "the daemon refused the request";
            R result = null;
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonToken t = p.nextToken();
                    if (key.equals("ok")) {
                        ok = t == JsonToken.VALUE_TRUE;
                    } else if (key.equals("error") && t.isScalarValue() && t != JsonToken.VALUE_NULL) {
                        error = p.getValueAsString();
                    } else if (key.equals("result") && t == JsonToken.START_OBJECT) {
                        result = reader.read(p);
                    } else {
                        p.skipChildren();
                    }
                }
            }
            if (!ok) {
                throw new ControlException(error, false);
            }
            if (result == null) {
                throw new IllegalArgumentException("the answer has no result object");
            }
            return result;
        } catch (IOException e) {
            throw new ControlException("talking to the hactl daemon failed: " + e.getMessage(), false);
        }
    }

    /** Reads a result object, the parser at its start. */
    interface ResultReader<R> {
        R read(JsonParser p) throws IOException;
    }

    /** The counters of {@code stats}, in the daemon's order, each as {@code JsonNode.asLong()} reads it. */
    private static Map<String, Long> counters(JsonParser p) throws IOException {
        Map<String, Long> counters = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            counters.put(name, p.currentToken().isScalarValue() ? p.getValueAsLong(0) : 0L);
            p.skipChildren();
        }
        return counters;
    }

    /** The answer's {@code result} as {@code JsonNode.toPrettyString()} prints it. */
    static String prettyResult(byte[] answer) throws ControlException {
        StringWriter w = new StringWriter();
        try (JsonParser p = Render.JSON_FACTORY.createParser(answer)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                if (key.equals("result")) {
                    try (JsonGenerator g = Render.JSON_FACTORY.createGenerator(w)) {
                        g.useDefaultPrettyPrinter();
                        g.copyCurrentStructure(p);
                    }
                    return w.toString();
                }
                p.skipChildren();
            }
            throw new IllegalArgumentException("the answer has no result");
        } catch (IOException e) {
            throw new ControlException("talking to the hactl daemon failed: " + e.getMessage(), false);
        }
    }

    /** The options of {@link ClientOptions} and {@code --json}, or null when picocli should read them. */
    static final class Options {
        Path config = Path.of(ClientOptions.DEFAULT_CONFIG);
        Path socket;
        int timeoutSeconds = 5;
        boolean json;

        static Options parse(String[] args) {
            Options o = new Options();
            Set<String> seen = new HashSet<>();
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                String name = a;
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (!seen.add(name)) {
                    return null;
                }
                if (name.equals("--json")) {
                    if (value != null) {
                        return null;
                    }
                    o.json = true;
                    continue;
                }
                if (!name.equals("--config") && !name.equals("--socket") && !name.equals("--timeout")) {
                    return null;
                }
                if (value == null) {
                    if (++i == args.length) {
                        return null;
                    }
                    value = args[i];
                }
                if (value.isEmpty() || value.startsWith("-")) {
                    return null;
                }
                try {
                    switch (name) {
                        case "--config" -> o.config = Path.of(value);
                        case "--socket" -> o.socket = Path.of(value);
                        default -> {
                            if (!digits(value)) {
                                return null;
                            }
                            o.timeoutSeconds = Integer.parseInt(value);
                        }
                    }
                } catch (InvalidPathException e) {
                    return null;
                }
            }
            return o;
        }

        /** 1 to 9 decimal digits: a value {@code Integer.parseInt} takes as picocli does. */
        private static boolean digits(String value) {
            if (value.length() > 9) {
                return false;
            }
            for (int i = 0; i < value.length(); i++) {
                if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }
    }
}
