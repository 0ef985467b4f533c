import sqlite3

import requests
from flask import Blueprint, jsonify, request

orders = Blueprint("orders", __name__)
DATABASE = "/tmp/orders.db"


@orders.route("/<int:order_id>", methods=["GET"])
def get_order(order_id: int):
    with sqlite3.connect(DATABASE) as db:
        row = db.execute("SELECT body FROM orders WHERE id = ?", (order_id,)).fetchone()
    return jsonify(row)


@orders.post("/")
def create_order():
    body = request.get_json()
    requests.post("https://audit.example.com/orders", json=body, timeout=5)
    return jsonify(body), 201
