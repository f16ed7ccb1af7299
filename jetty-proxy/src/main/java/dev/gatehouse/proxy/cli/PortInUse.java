package dev.gatehouse.proxy.cli;

import dev.gatehouse.net.HostPort;

import java.net.BindException;

/** Turns "address already in use" into a message that says which option moves the port. */
final class PortInUse {

    private PortInUse() {
    }

    /**
     * The message for {@code e} when it is a failed bind, else {@code null}.
     *
     * @param listenOption how to move the main port, e.g. {@code --listen HOST:PORT (or listen: in gatehouse.yaml)}
     * @param adminOption  how to move or turn off the admin port
     */
    static String describe(Throwable e, HostPort listen, String listenOption, HostPort admin, String adminOption) {
        BindException bind = null;
        String text = "";
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            text = text + " " + t.getMessage();
            if (t instanceof BindException b) {
                bind = b;
            }
        }
        if (bind == null) {
            return null;
        }
        boolean isAdmin = admin != null && text.contains(":" + admin.port()) && !(listen != null && text.contains(":" + listen.port()));
        HostPort which = isAdmin ? admin : listen;
        return "cannot listen on " + which + ": " + bind.getMessage().toLowerCase(java.util.Locale.ROOT)
                + " (another process has the port); choose another with " + (isAdmin ? adminOption : listenOption);
    }
}
