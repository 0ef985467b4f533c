import azure.functions as func

app = func.FunctionApp()
raise RuntimeError("missing setting DATABASE_URL")
