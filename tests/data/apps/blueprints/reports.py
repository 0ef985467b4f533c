import azure.functions as func
import requests

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name="reports", connection="Storage")
def build_report(msg: func.QueueMessage) -> None:
    requests.post("https://reports.invalid", data=msg.get_body())
