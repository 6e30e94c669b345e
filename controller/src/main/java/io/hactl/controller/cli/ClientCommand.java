package io.hactl.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hactl.controller.control.ControlClient;
import io.hactl.controller.control.ControlException;
import io.hactl.controller.control.ControlProtocol;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that asks the running daemon something; says so in one line when it is not running. */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    ClientOptions options;

    @Spec
    CommandSpec spec;

    /** Operations that may take long (commit of 250k flows) wait longer than the default. */
    Duration timeout() {
        return Duration.ofSeconds(options.timeoutSeconds);
    }

    /** The --timeout given, but at least {@code seconds}: for operations that take that long. */
    Duration atLeastSeconds(long seconds) {
        return Duration.ofSeconds(Math.max(options.timeoutSeconds, seconds));
    }

    abstract ObjectNode request();

    /** Prints the result; returns the exit code. */
    abstract int render(JsonNode result, PrintWriter out);

    ObjectNode cmd(String name) {
        ObjectNode r = ControlProtocol.JSON.createObjectNode();
        r.put("cmd", name);
        return r;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            JsonNode result = new ControlClient(options.socket()).call(request(), timeout());
            int code = render(result, out);
            out.flush();
            return code;
        } catch (ControlException e) {
            err.println("hactl: " + e.getMessage());
            err.flush();
            return e.unreachable() ? ExitCodes.UNREACHABLE : ExitCodes.FAILED;
        }
    }
}
