package io.hactl.controller.cli;

import io.hactl.controller.config.ConfigException;
import io.hactl.controller.config.ConfigLoader;
import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.daemon.Daemon;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hactl daemon}: run the daemon in the foreground until SIGTERM. */
@Command(name = "daemon", description = "Run the hactl daemon in the foreground (systemd runs it so).")
public final class DaemonCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", defaultValue = "/etc/hactl/hactl.yaml",
            description = "Configuration file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HactlConfig c;
        try {
            c = ConfigLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("hactl daemon: refusing to start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        Daemon d;
        try {
            d = Daemon.start(c, true);
        } catch (Exception e) {
            spec.commandLine().getErr().println("hactl daemon: refusing to start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(d::close, "hactl-shutdown"));
        d.awaitStop();
        return ExitCodes.OK;
    }
}
