// LeakSanitizer defaults for the tests and the sanitizer build's binaries.
// cpprestsdk closes a failed request's body stream in a pplx continuation on
// its own thread pool; when the process exits before that continuation runs,
// LSan reports the pending task objects. That is a shutdown race inside the library, not a leak in
// our code, so only those stacks are suppressed.
extern "C" const char* __lsan_default_suppressions() {  // NOLINT
  // cpprestsdk's pplx task continuations are freed on its own thread pool,
  // which may still be running when a short test process exits after a
  // failed connection; seen as a direct leak from task<...>::_ThenImpl.
  return "leak:streambuf_state_manager<unsigned char>::close\n"
         "leak:pplx::task<unsigned char>::_ThenImpl\n"
         "leak:pplx::details::_Task_impl_base::_AsyncInit\n"
         // A task_completion_event dropped unset cancels its continuations by
         // scheduling them on that pool; at exit the scheduled closure is
         // never run (seen once in CI under the old cpprestsdk listener).
         "leak:pplx::details::_Task_impl<unsigned char>::_CancelAndRunContinuations\n"
         // The operator cancels its watches and in-flight requests on
         // SIGTERM; cpprestsdk finishes those requests' tasks (and the
         // exceptions they carry) on its pool after main has returned. The
         // allocations are made inside libcpprest (task<void>::_CreateImpl
         // called from it, seen in CI), with no symbols past its frame, so
         // the library is named. Our own code calls cpprestsdk synchronously
         // and never allocates on its threads, so this hides no leak of ours.
         "leak:libcpprest.so\n"
         // sluice-operator sizes cpprestsdk's I/O pool (4 threads): that pool
         // is never destroyed, and at exit the TLS connections its pending
         // handlers still hold are reported, allocated inside libcrypto with
         // no frame of ours (CRYPTO_zalloc, seen in every operator exit).
         // Our own OpenSSL calls are one-shot (EVP_Digest, HMAC) and allocate
         // nothing that outlives them.
         "leak:libcrypto.so\n";
}
