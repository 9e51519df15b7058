package dev.berth.agent.image;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A pull in progress that later callers of the same reference join: they wait for its result and get its events. */
final class InFlightPull {
    final CompletableFuture<StoredImage> result = new CompletableFuture<>();
    final List<Consumer<PullEvent>> listeners = new CopyOnWriteArrayList<>();

    void emit(PullEvent event) {
        for (Consumer<PullEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                // A broken listener (a client that went away) must not fail the pull for everyone.
            }
        }
    }

    StoredImage await() throws ImageStoreException {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ImageStoreException failure) {
                throw new ImageStoreException(failure.code(), failure.getMessage(), failure);
            }
            throw e;
        }
    }
}
