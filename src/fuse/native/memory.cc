// reduceMemory(): gives back what a burst of work left behind once the
// daemon is quiet (src/daemon/idle-reducer.ts decides when). V8's own
// memory reducer only starts after many seconds and keeps the young
// generation at the size the burst grew it to; LowMemoryNotification runs
// full collections, shrinks the young generation and releases the freed
// pages at once. malloc_trim hands the C allocator's free pages back to the
// kernel. This is the one place the addon uses V8 itself rather than
// Node-API: it is built from source against the Node that runs it
// (binding.gyp), so <v8.h> matches.

#include <node_api.h>
#include <v8.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace megamount {

napi_value ReduceMemory(napi_env env, napi_callback_info info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
  bool trimmed = false;
#if defined(__GLIBC__)
  trimmed = malloc_trim(0) != 0;
#endif
  napi_value result;
  napi_get_boolean(env, trimmed, &result);
  return result;
}

}  // namespace megamount
