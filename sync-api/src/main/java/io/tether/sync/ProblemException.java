package io.tether.sync;

import io.tether.sync.spi.Problem;
import io.tether.sync.spi.ProblemType;

/**
 * A request was answered with a protocol problem (PROTOCOL.md section 6): thrown by the hub logic for a transport
 * to render, and by replica transports when the hub answered with one.
 */
public class ProblemException extends SyncException {
    private final Problem problem;

    public ProblemException(Problem problem) {
        super(problem.type().wireName() + ": " + problem.detail());
        this.problem = problem;
    }

    public ProblemException(ProblemType type, String detail) {
        this(Problem.of(type, detail));
    }

    public Problem problem() {
        return problem;
    }

    public ProblemType type() {
        return problem.type();
    }
}
