from flask import Flask

from shop.orders import orders


def create_app() -> Flask:
    app = Flask(__name__)
    app.register_blueprint(orders, url_prefix="/orders")

    @app.get("/ping")
    def ping() -> str:
        return "pong"

    return app
