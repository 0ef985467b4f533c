"""Reading a function app's Python code without running it (`init`, AZFN4xx)."""
