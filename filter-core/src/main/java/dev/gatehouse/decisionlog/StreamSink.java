package dev.gatehouse.decisionlog;

import java.io.PrintStream;

/** {@code stdout} or {@code stderr}: one write per line, so lines of other writers never cut into one. */
final class StreamSink implements DecisionLog.Sink {

    private final PrintStream out;

    StreamSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void write(byte[] line, int length) {
        out.write(line, 0, length);
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush(); // never close the process's standard streams
    }
}
