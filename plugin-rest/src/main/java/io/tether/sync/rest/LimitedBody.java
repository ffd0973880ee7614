package io.tether.sync.rest;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** A response body read into a byte array that fails, and stops reading, once it is larger than a limit. */
final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
    private final long max;
    private long read;
    private Flow.Subscription subscription;
    private boolean failed;

    LimitedBody(long max) {
        this.max = max;
    }

    /** The failure of a body over the limit. */
    static final class TooLarge extends IOException {
        TooLarge() {
            super("response body over the limit");
        }
    }

    /** Whether {@code e} is, or was caused by, a body over the limit. */
    static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TooLarge) {
                return true;
            }
        }
        return false;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return bytes.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        bytes.onSubscribe(subscription);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (failed) {
            return;
        }
        for (ByteBuffer b : items) {
            read += b.remaining();
        }
        if (read > max) {
            failed = true;
            subscription.cancel();
            bytes.onError(new TooLarge());
            return;
        }
        bytes.onNext(items);
    }

    @Override
    public void onError(Throwable error) {
        if (!failed) {
            bytes.onError(error);
        }
    }

    @Override
    public void onComplete() {
        if (!failed) {
            bytes.onComplete();
        }
    }
}
