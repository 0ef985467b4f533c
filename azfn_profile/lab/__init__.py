"""The throughput lab: run a function app the way the host and Python worker do.

N worker processes (subprocesses, in the app's own interpreter when asked), each
importing the user's app and running one asyncio event loop: coroutine functions are
awaited on the loop, sync functions run through `loop.run_in_executor` on a
ThreadPoolExecutor(max_workers=threads), as the Python worker does
(azure-functions-python-worker's dispatcher.py). A dispatcher spreads invocations
round-robin over the processes, as the host's channel selection does.
"""
